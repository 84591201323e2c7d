"""Ports: the small interfaces the services need from the outside; adapters implement them."""
