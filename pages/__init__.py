"""The pages: views, forms, URLs and page-only helpers, one package per workspace (reception,
booking, therapist, chart, portal, manager). The domain (clinic, patients, sessions) never
imports from here; pages call the domain's services and selectors and render templates/<workspace>/.

Shared plumbing: pages.roles (who may open a page), pages.http (request parameters, safe
redirects), pages.refusals (a domain refusal onto a form or a message).
"""
