//! Workflow: Adjutant's tasks (sign-up, invitations, password resets…), the actions they are
//! made of, their approval, the task tokens users complete them with, and the notifications
//! sent along the way, as typed state machines. Empty until the Adjutant face fills it.
