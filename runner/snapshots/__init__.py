"""Template snapshots kept in the repo, and what changed in a template since its snapshot.

May import `runner.resolve` (API shapes), `runner.state` (atomic writes) and the foundation.
"""
