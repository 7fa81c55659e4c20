"""The Qt layer: screens talk to the services only through a runner (see runner.py)."""
