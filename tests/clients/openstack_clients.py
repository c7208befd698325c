"""OpenStack's own clients against a running Steward, unchanged: keystoneauth1 password
authentication (discovery of /v3, a project-scoped token, the catalog's `admin-logic`
endpoint), python-adjutantclient's Python API, and the `openstack` CLI with its plugin.

Run by crates/steward/tests/api/adjutant/clients.rs with the OS_* variables of an admin
scoped to a project, and STEWARD_URL. Every step asserts what it got; any failure exits 1
with the step's name.
"""

import json
import os
import subprocess
import sys

from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from adjutantclient import client as adjutant_client

URL = os.environ["STEWARD_URL"].rstrip("/")
OPENSTACK = os.path.join(os.path.dirname(sys.executable), "openstack")


def step(name):
    print(f"--- {name}", flush=True)


def cli(*args, expect_json=True):
    """Runs `openstack ARGS`, failing on a non-zero exit; parses `-f json` output."""
    done = subprocess.run([OPENSTACK, *args], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"openstack {' '.join(args)} exited {done.returncode}: {done.stderr}{done.stdout}")
    return json.loads(done.stdout) if expect_json else done.stdout


def main():
    step("keystoneauth1: discovery, password authentication scoped to a project, the catalog")
    auth = v3.Password(
        auth_url=os.environ["OS_AUTH_URL"],
        username=os.environ["OS_USERNAME"],
        password=os.environ["OS_PASSWORD"],
        project_name=os.environ["OS_PROJECT_NAME"],
        user_domain_name="Default",
        project_domain_name="Default",
    )
    session = ks_session.Session(auth=auth)
    token = session.get_token()
    assert token, "a token"
    access = auth.get_access(session)
    assert access.project_name == os.environ["OS_PROJECT_NAME"], access.project_name
    assert "admin" in access.role_names, access.role_names
    endpoint = session.get_endpoint(service_type="admin-logic", interface="public")
    assert endpoint.endswith("/v1"), endpoint
    # The token is a Steward token: the native API knows who it is.
    whoami = session.get(f"{URL}/steward/v1/whoami", authenticated=True).json()
    assert whoami["login"] == os.environ["OS_USERNAME"], whoami

    step("python-adjutantclient: sign up, list, show, approve")
    adjutant = adjutant_client.Client("1", session=session)
    created = adjutant.signup.post(None, "py-signup@example.com", "py-project", False)
    tasks = adjutant.tasks.list()
    signup = next(task for task in tasks if task.task_type == "signup" and not task.approved)
    shown = adjutant.tasks.get(signup.uuid)
    assert shown.actions[0]["data"]["email"] == "py-signup@example.com", shown.actions
    adjutant.tasks.approve(signup.uuid)
    assert adjutant.tasks.get(signup.uuid).approved is True

    step("python-adjutantclient: tokens listed, reissued, shown, submitted")
    tokens = [token for token in adjutant.tokens.list() if token.task == signup.uuid]
    assert len(tokens) == 1, tokens
    adjutant.tokens.reissue(signup.uuid)
    tokens = [token for token in adjutant.tokens.list() if token.task == signup.uuid]
    detail = adjutant.tokens.get(tokens[0].token)
    assert detail.required_fields == ["password"], detail.required_fields
    adjutant.tokens.submit(tokens[0].token, {"password": "py-Passw0rd-long"})
    assert adjutant.tasks.get(signup.uuid).completed is True

    step("python-adjutantclient: notifications listed and acknowledged")
    notes = adjutant.notifications.list()
    assert any(note.task == signup.uuid for note in notes), notes
    adjutant.notifications.acknowledge(note_list=[note.uuid for note in notes])
    assert adjutant.notifications.list() == [], "acknowledged ones leave the default list"

    step("python-adjutantclient: a password reset, and a cancel")
    adjutant.users.password_forgot("py-signup@example.com")
    reset = next(task for task in adjutant.tasks.list() if task.task_type == "reset_password")
    adjutant.tasks.cancel(reset.uuid)
    assert adjutant.tasks.get(reset.uuid).cancelled is True

    step("the new user authenticates through Keystone v3 with the password it chose")
    user = v3.Password(auth_url=os.environ["OS_AUTH_URL"], username="py-signup@example.com", password="py-Passw0rd-long", project_name="py-project", user_domain_name="Default", project_domain_name="Default")
    user_session = ks_session.Session(auth=user)
    assert "project_admin" in user.get_access(user_session).role_names

    step("openstack CLI: signup, task list, show, approve")
    cli("signup", "cli-signup@example.com", "cli-project", expect_json=False)
    tasks = cli("admin", "task", "list", "-f", "json")
    pending = [task["UUID"] for task in tasks if task["Task Type"] == "signup" and task["Approved on"] is None and not task["Cancelled"]]
    assert len(pending) == 1, tasks
    task_id = pending[0]
    cli("admin", "task", "show", task_id, "-f", "json")
    cli("admin", "task", "approve", task_id, "-f", "json")
    assert adjutant.tasks.get(task_id).approved is True

    step("openstack CLI: token list, reissue, submit")
    listed = cli("admin", "task", "token", "list", "-f", "json")
    assert any(task_id in json.dumps(row) for row in listed), listed
    cli("admin", "task", "token", "reissue", task_id, expect_json=False)
    token = next(token.token for token in adjutant.tokens.list() if token.task == task_id)
    cli("admin", "task", "token", "show", token, "-f", "json")
    cli("admin", "task", "token", "submit", token, json.dumps({"password": "cli-Passw0rd-long"}), expect_json=False)
    assert adjutant.tasks.get(task_id).completed is True

    step("openstack CLI: notifications, password forgot, cancel")
    listed = cli("admin", "task", "notification", "list", "-f", "json")
    ids = [row["uuid"] for row in listed]
    assert any(row["task"] == task_id for row in listed), listed
    cli("admin", "task", "notification", "acknowledge", *ids, expect_json=False)
    assert adjutant.notifications.list() == []
    cli("password", "forgot", "cli-signup@example.com", expect_json=False)
    reset = next(task for task in adjutant.tasks.list() if task.task_type == "reset_password" and not task.cancelled)
    cli("admin", "task", "cancel", reset.uuid, "-f", "json")
    assert adjutant.tasks.get(reset.uuid).cancelled is True
    issued = cli("token", "issue", "-f", "json")
    assert issued["project_id"] and issued["user_id"], issued

    step("openstack CLI: the project's people, their roles, invitations")
    member = os.environ["OS_TEST_MEMBER"]
    users = cli("project", "user", "list", "-f", "json")
    assert [user["cohort"] for user in users if user["name"] == member] == ["Member"], users
    roles = cli("project", "manageable", "roles", "-f", "json")
    assert {"member", "project_admin", "project_mod"} <= {role["name"] for role in roles}, roles
    cli("project", "user", "invite", "cli-invitee@example.com", "member", expect_json=False)
    users = cli("project", "user", "list", "-f", "json")
    assert any(user["name"] == "cli-invitee@example.com" and user["cohort"] == "Invited" for user in users), users
    cli("project", "user", "role", "add", member, "project_mod", expect_json=False)
    held = cli("project", "user", "role", "list", member, "-f", "json")
    assert {"member", "project_mod"} == {row["Role"] for row in held}, held
    cli("project", "user", "role", "remove", member, "project_mod", expect_json=False)
    held = cli("project", "user", "role", "list", member, "-f", "json")
    assert {row["Role"] for row in held} == {"member"}, held
    cli("project", "user", "invite", "cancel", "cli-invitee@example.com", expect_json=False)
    users = cli("project", "user", "list", "-f", "json")
    assert not any(user["name"] == "cli-invitee@example.com" for user in users), users

    step("openstack CLI: the project's quota, its sizes, a change waiting for an admin")
    shown = cli("project", "quota", "show", "-f", "json")
    assert shown[0]["Region"] == "RegionOne", shown
    sizes = cli("project", "quota", "sizes", "-f", "json")
    assert {"small", "medium", "large"} <= {row["Size Name"] for row in sizes}, sizes
    said = cli("project", "quota", "update", "large", expect_json=False)
    assert "admin approval" in said, said
    changes = cli("project", "quota", "tasks", "-f", "json")
    assert changes and changes[0]["Proposed Size"] == "large" and changes[0]["status"] == "Awaiting Approval", changes
    status = cli("adjutant", "status", expect_json=False)
    assert "last_created_task" in status, status
    print("every client step passed")


if __name__ == "__main__":
    main()
