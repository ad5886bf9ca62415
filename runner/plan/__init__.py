"""Planning: desired launches + lockfile (+ live facts) -> an ordered Plan with a checksum.

Pure. May import `runner.resolve`, `runner.render`, `runner.state` and the foundation.
"""
