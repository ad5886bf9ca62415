"""The Tallyfy client: the only code that speaks HTTP (httpx), with retries, paging, throttling.

Also where the API is (environment, or an embedded sandbox started as a separate process).
May import `runner.specs` (configuration) and the foundation; nothing from the core stages.
"""
