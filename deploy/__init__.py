"""Deployment of CORE: gunicorn, nginx, systemd and PostgreSQL, and a local cluster."""
