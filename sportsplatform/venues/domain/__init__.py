"""Writes on the venue register. Admin pages, imports, the API and commands call these; each takes
keyword-only arguments and an explicit `actor`, checks the actor's scope (core.scoping) and leaves
an audit trail (django-auditlog for model edits, core.audit.record for everything else)."""
