//! The Flask-Restless `q` search parameter (being written).
