"""`launchspec doctor`: a read-only first contact with an organisation: what holds, what not."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from runner.diagnostics import Diagnostic
from runner.errors import ApiError, LaunchspecError, SpecError
from runner.project.runprobes import run_findings
from runner.remote.ports import Reader
from runner.resolve.encode import ENCODERS
from runner.resolve.shapes import unwrap
from runner.specs.config import Config
from runner.views.doctorview import Finding, Report

HeadersSeen = Callable[[], Sequence[Mapping[str, str]]]
KNOWN_BASES = ("https://go.tallyfy.com/api", "https://api.tallyfy.com")
OPTION_TYPES = ("radio", "dropdown", "multiselect")


def doctor(config: Config, client: Reader, headers_seen: HeadersSeen) -> Report:
    """Check the connection, then each template the specs use, then the specs against them."""
    report = Report(client.base_url, client.org_id)
    try:
        refs = spec_refs(config)
    except LaunchspecError as e:
        report.findings.append(Finding("specs", "fail", f"the specs could not be read: {e}"))
        refs = []
    report.findings += probe(client, refs, headers_seen)
    if not report.failed:
        report.findings += launch_check(config, client)
    return report


def spec_refs(config: Config) -> list[str]:
    """The `template:` of every valid spec, each once."""
    from runner.project.catalog import spec_templates

    return spec_templates(config)


def probe(client: Reader, refs: Sequence[str], headers_seen: HeadersSeen) -> list[Finding]:
    """What reads alone can settle: base URL, token, organisation, templates, what the run
    listing keeps (order, name search, summaries), rate limits.

    Replayable: it needs only the client, so recorded fixtures can stand in for the server.
    """
    found = [_base_url(client.base_url)]
    me = _token(client, found)
    if me is None:
        return found
    if not _organisation(client, found):
        return found
    read: list[str] = []
    for ref in refs:
        template, findings = template_findings(client, ref)
        found += findings
        if template is not None:
            read.append(str(template["id"]))
    found += run_findings(client, read)
    found.append(_rate_limits(headers_seen()))
    return found


def _base_url(url: str) -> Finding:
    if url.rstrip("/") in KNOWN_BASES:
        return Finding("base URL", "ok", f"{url} is one of Tallyfy's documented base URLs")
    return Finding(
        "base URL",
        "warn",
        f"{url} is not one of Tallyfy's documented base URLs ({' or '.join(KNOWN_BASES)})",
        hint="fine for a proxy or a local sandbox; otherwise check TALLYFY_API_URL",
    )


def _token(client: Reader, found: list[Finding]) -> dict[str, Any] | None:
    try:
        me = dict(client.me())
    except ApiError as e:
        hint = "create a new personal access token (they expire, and die on logout)"
        found.append(Finding("token", "fail", f"GET /me failed: {e.message}", hint=hint))
        return None
    found.append(Finding("token", "ok", f"accepted (user id {me.get('id', '?')})"))
    return me


def _organisation(client: Reader, found: list[Finding]) -> bool:
    try:
        users = client.list_users()
        folders = client.list_folders()
    except ApiError as e:
        hint = "check TALLYFY_ORG_ID (or `organization:` in launchspec.yaml) and the base URL"
        found.append(Finding("organisation", "fail", f"{client.org_id}: {e}", hint=hint))
        return False
    found.append(_membership(client, len(users)))
    found.append(_folder_types(folders))
    return True


def _membership(client: Reader, members: int) -> Finding:
    """Whether the token's user belongs to the organisation, from GET /me/organizations (the
    CLI's and SDK's read; GET /me does not list organisations)."""
    readable = f"readable: {members} members"
    try:
        orgs = [str(o.get("id")) for o in client.my_organizations() if isinstance(o, Mapping)]
    except ApiError as e:
        return Finding(
            "organisation",
            "warn",
            f"{readable}; membership could not be read (GET /me/organizations: {e.message})",
        )
    if client.org_id not in orgs:
        return Finding(
            "organisation",
            "warn",
            f"{readable}, but {client.org_id} is not among the {len(orgs)} organisations "
            "GET /me/organizations lists for this token",
            hint="is TALLYFY_ORG_ID the organisation this token's user belongs to?",
        )
    return Finding("organisation", "ok", f"{readable}; the token's user is a member")


def _folder_types(folders: Sequence[Mapping[str, Any]]) -> Finding:
    """How many folders hold processes (`folder_type=run`) and how many hold templates: they
    are read separately, since a listing without `folder_type` holds template folders only."""
    runs = sum(f.get("folder_type") == "run" for f in folders)
    others = len(folders) - runs
    return Finding(
        "folders",
        "ok",
        f"{runs} process folder{'s' * (runs != 1)} (folder_type run), {others} template "
        f"folder{'s' * (others != 1)}; a spec's `folders:` must name process folders",
    )


def _rate_limits(headers: Sequence[Mapping[str, str]]) -> Finding:
    """Informational: Tallyfy documents Retry-After on a 429, X-RateLimit-Remaining on one page
    (429s only) and no limit header, so answers without X-RateLimit-* are what to expect."""
    seen = sorted({f"{k}: {v}" for h in headers for k, v in h.items() if "ratelimit" in k})
    said = "; the answers also carry " + "; ".join(seen[:4]) if seen else ""
    return Finding(
        "rate limit",
        "ok",
        "launchspec waits as long as a 429's Retry-After says and adapts its concurrency"
        + said,
    )


def template_findings(
    client: Reader, ref: str
) -> tuple[Mapping[str, Any] | None, list[Finding]]:
    """The template `ref` names (None if it cannot be read), and whether launching it would be
    refused or misencoded: launchability, field types and options, assignee caps, the roles its
    steps use, and whether it names its runs itself."""
    from runner.project.stages import find_template

    subject = f"template {ref}"
    try:
        template = find_template(client, ref)
    except ApiError as e:
        return None, [Finding(subject, "fail", f"could not be read: {e}")]
    if isinstance(template, str):
        return None, [Finding(subject, "fail", template)]
    if not isinstance(template, Mapping) or not template.get("id"):
        return None, [Finding(subject, "fail", "the API answered with no template")]
    return template, [
        _launchable(subject, template),
        *_fields(subject, template),
        _steps(subject, template),
        _roles(subject, template),
        *_auto_naming(subject, template),
    ]


def _launchable(subject: str, template: Mapping[str, Any]) -> Finding:
    from runner.resolve.rules import launch_refusal

    facts = ", ".join(
        f"{k}={template.get(k)!r}"
        for k in ("status", "is_published_state", "dual_version_enabled", "archived_at")
        if k in template
    )
    refusal = launch_refusal(template)
    if refusal:
        return Finding(subject, "fail", f"{refusal} ({facts})")
    return Finding(subject, "ok", f"launchable ({facts or 'no status fields'})")


def _fields(subject: str, template: Mapping[str, Any]) -> list[Finding]:
    out = []
    for f in unwrap(template.get("prerun")):
        label = f"{subject}: kick-off field {f.get('label')!r}"
        kind = str(f.get("field_type"))
        if kind not in ENCODERS:
            out.append(Finding(label, "fail", f"field type {kind!r} is not one launchspec knows"))
        elif kind in OPTION_TYPES and not _good_options(f.get("options")):
            out.append(Finding(label, "fail", "options are not [{id: integer, text: string}]"))
        elif "required" not in f:
            hint = "the official SDK reads a missing `required` as true"
            out.append(Finding(label, "warn", "does not say whether it is required", hint=hint))
    return out


def _good_options(options: Any) -> bool:
    items = unwrap(options)
    return all(
        isinstance(o, Mapping) and isinstance(o.get("id"), int) and isinstance(o.get("text"), str)
        for o in items
    )


def _steps(subject: str, template: Mapping[str, Any]) -> Finding:
    """The owner caps the steps say; a step that says none is not checked (unknown: the SDK
    reads a missing max_assignable as 1)."""
    from runner.resolve.people import cap_unsaid

    steps = unwrap(template.get("steps"))
    caps = sorted({int(s["max_assignable"]) for s in steps if not cap_unsaid(s)})
    words = ", ".join("0 (unlimited)" if c == 0 else str(c) for c in caps) or "none said"
    unsaid = sum(cap_unsaid(s) for s in steps)
    if unsaid:
        words += (
            f"; {unsaid} step{'s' * (unsaid != 1)} say{'s' * (unsaid == 1)} none (owners there "
            "are not checked against a cap: Tallyfy decides at launch)"
        )
    return Finding(subject, "ok", f"{len(steps)} steps; max_assignable: {words}")


def _roles(subject: str, template: Mapping[str, Any]) -> Finding:
    """The roles the steps are assigned to: all a read shows of the organisation's roles."""
    from runner.resolve.roles import step_roles

    check = f"{subject}: roles"
    if step_roles(template) is None:
        return Finding(
            check,
            "warn",
            "the steps do not say which roles they are assigned to: a spec's `roles:` keys are "
            "checked by Tallyfy alone, at launch",
            hint="no public source shows an endpoint listing the organisation's roles",
        )
    used = [
        f"{s.get('title')}: {', '.join(_role_word(r) for r in s['roles'])}"
        for s in unwrap(template.get("steps"))
        if s.get("roles")
    ]
    if not used:
        return Finding(check, "ok", "no step is assigned to a role (`roles:` would assign nobody)")
    return Finding(check, "ok", "steps assigned to roles: " + "; ".join(used))


def _auto_naming(subject: str, template: Mapping[str, Any]) -> list[Finding]:
    """A template that names its runs itself replaces the name a spec gives; the lockfile keeps
    the server's name (docs/tallyfy-api-notes.md, "The run's name")."""
    if not template.get("auto_naming"):
        return []
    fmt = template.get("default_process_name_format")
    return [
        Finding(
            f"{subject}: name",
            "ok",
            f"auto-naming ({fmt!r}) replaces the name a spec gives; launchspec records the "
            "name Tallyfy gives",
        )
    ]


def _role_word(role: Any) -> str:
    if isinstance(role, Mapping):
        return f"{role.get('title') or role.get('name')} ({role.get('id')})"
    return str(role)


def launch_check(config: Config, client: Reader) -> list[Finding]:
    """Render and resolve every spec against the live templates and people, as `plan` does."""
    from runner.project import stages
    from runner.project.project import now_utc, validate
    from runner.state.lockfile import Lockfile

    specs = validate(config, fields=False).specs
    failed: list[Diagnostic] = []  # render errors; the specs without any are resolved too
    try:
        rendered = stages.render_all(config, specs, Lockfile.new(), now_utc(), carry=failed)
        desired, _ = stages.resolve_all(client, rendered)
    except SpecError as e:
        failed += e.diagnostics
    if failed:
        return [
            Finding("launches", "fail", str(d), hint="`launchspec plan` shows the same")
            for d in sorted(failed, key=Diagnostic.sort_key)
        ]
    n = len(desired)
    said = f"{n} launch{'' if n == 1 else 'es'} resolve{'s' if n == 1 else ''}"
    return [Finding("launches", "ok", f"{said} against the live org")]
