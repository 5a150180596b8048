"""The REST API under /api/v1/ (Django REST framework, drf-spectacular) and the personal API
tokens that open it. It sits beside `pages`, over the domain: every write goes through the same
services the pages use, so the gate, the conflict checks and the course rules apply here too."""
