"""Teaching a shipped map where the portal moved its elements: `assistant learn`'s core.

The walk goes through the portal as a fill does, in a fenced browser context
(`guarded_context.GuardedContext`): the profile's values are typed so that later steps open, the
map's own buttons are clicked (send code, continue: their requests leave through the declared gate
as in a fill), the emailed code is asked for as usual. Wherever an element is not found, is found
more than once, or the person asked to re-teach it, the page shows the overlay
(`assistant.browser.overlay`) and the person points at it; the anchor derived for what they clicked
is tried first from then on, in this walk and, once saved, in every run.

The walk ends at the review: the submit button is located, never clicked; no confirmation is
asked; the context's submit gate (`GuardedContext.submitting`) is never opened, so nothing can
be submitted. What was learnt comes back as a proposal (`Learnt`): the person's earlier repairs
with the new ones, which `offer_to_save` shows as a diff against the shipped map and saves only
when the person types yes at the terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from assistant import hosts, log
from assistant.browser import (
    clicks,
    code_entry,
    fields,
    guarded_context,
    loading,
    locate,
    overlay,
    step_state,
)
from assistant.errors import NotConfirmed, PortalError, Stopped
from assistant.portals.elements import Element, elements
from assistant.portals.model import (
    ERROR_REGIONS,
    Action,
    ClickAction,
    CodeGate,
    PortalMap,
    ReviewGate,
    Step,
    Target,
)
from assistant.portals.overrides import (
    EffectiveMap,
    ElementOverride,
    Overrides,
    apply,
    merged,
    overrides_path,
    save_overrides,
)
from assistant.portals.plan import PlannedStep, build_plan
from assistant.portals.repairs import diff_lines
from assistant.profiles.model import Profile
from assistant.sitting.code_sources import CodeRequest, CodeSource
from assistant.sitting.terminal import Terminal

if TYPE_CHECKING:
    from playwright.sync_api import Page

logger = log.get_logger(__name__)

# A step that has not opened after `step_ms` is asked about; a slow page is no harm (the
# overlay waits for the person), so learning waits less than a fill before it asks.
LEARN_TIMEOUTS = step_state.Timeouts(step_ms=15_000, action_ms=15_000)
# Within an open step, an element not shown after this long is asked about.
ASK_AFTER_MS = 5_000
MAX_CODE_ATTEMPTS = 5
SAVE_WORD = "yes"


@dataclass(frozen=True, slots=True)
class LearnOptions:
    """Where the portal is (`url`: another start URL, its host then the only one), which
    elements to teach again although they are found (step, element), how long to wait for
    the page (`timeouts`) and for an element of an open step before asking (`ask_after_ms`)."""

    url: str | None = None
    reteach: frozenset[tuple[str, str]] = frozenset()
    timeouts: step_state.Timeouts = LEARN_TIMEOUTS
    ask_after_ms: float = ASK_AFTER_MS


@dataclass
class Learnt:
    """What a walk learnt: `proposal` is what would be saved (the earlier repairs, `existing`,
    with the new ones); `stopped` says why it ended before the review ("" when it got there)."""

    existing: Overrides
    proposal: Overrides
    learnt: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    stopped: str = ""

    @property
    def changed(self) -> bool:
        """Whether saving would change anything."""
        return self.proposal != self.existing


class _Stop(Exception):
    """The walk cannot go on (the person skipped what it needs); the message says why."""


def allowed_hosts(shipped: PortalMap, url: str | None) -> list[str]:
    """The hosts the browser may talk to: the `url`'s, else the map's (`hosts.allow_list`)."""
    return hosts.allow_list(url, shipped.allowed_hosts)


def learn(
    guard: guarded_context.GuardedContext,
    shipped: PortalMap,
    existing: Overrides,
    profile: Profile,
    *,
    person: overlay.Person,
    code_source: CodeSource,
    say: Callable[[str], None],
    options: LearnOptions = LearnOptions(),
) -> Learnt:
    """Walk the portal in `guard`'s page up to the review, asking `person` wherever the map
    (`shipped` with `existing` merged in) cannot find an element; see the module docstring.

    Raises `Stopped` when the person stops at the code prompt; a portal that fails is not an
    error here: the walk stops and `Learnt.stopped` says why, with what was learnt so far.
    """
    log.register_secret(profile.contact.email, profile.contact.phone)
    walk = _Walk(guard, shipped, existing, profile, person, code_source, say, options)
    return walk.run()


class _Walk:
    def __init__(
        self,
        guard: guarded_context.GuardedContext,
        shipped: PortalMap,
        existing: Overrides,
        profile: Profile,
        person: overlay.Person,
        code_source: CodeSource,
        say: Callable[[str], None],
        options: LearnOptions,
    ) -> None:
        self.guard = guard
        self.page: Page = guard.page
        self.shipped = shipped
        self.profile = profile
        self.person = person
        self.code_source = code_source
        self.say = say
        self.options = options
        self.timeouts = options.timeouts
        self.result = Learnt(existing, existing)
        self.skipped: set[tuple[str, str]] = set()

    # -- the map as learnt so far ------------------------------------------------------------

    def effective(self) -> EffectiveMap:
        """The shipped map with the proposal merged in, and what was skipped left out."""
        mine = self.result.proposal
        for step, name in self.skipped:
            mine = mine.changed(step, name, ElementOverride(absent=True))
        return apply(self.shipped, mine)

    def current(self, step_name: str) -> Step | None:
        return next((s for s in self.effective().steps if s.name == step_name), None)

    def planned(self, step_name: str) -> PlannedStep:
        plan = build_plan(self.profile, self.effective(), self.options.url)
        return next(s for s in plan.submissions[0].steps if s.name == step_name)

    def element(self, step_name: str, name: str) -> tuple[Element, Action | None] | None:
        """An element of the step as the map stands now, and its action (None: absent)."""
        step = self.current(step_name)
        if step is None:
            return None
        for element in elements(step):
            if element.name == name:
                action = step.actions[element.action] if element.action >= 0 else None
                return element, action
        return None

    def reteach(self, element: Element) -> bool:
        return (element.step, element.name) in self.options.reteach

    # -- the walk ------------------------------------------------------------------------------

    def run(self) -> Learnt:
        url = self.options.url or self.shipped.start_url
        self.say(f"Opening {url}: click in the page wherever it asks you to.")
        try:
            loading.load_page(self.page, url)
            for step in self.shipped.steps:
                if self.current(step.name) is None:
                    self.say(f"The {step.name} step is left out: its button is not on this portal.")
                    continue
                if not self.step(step):
                    break
        except (_Stop, PortalError) as stop:
            self.result.stopped = str(stop)
        finally:
            overlay.clear(self.page)
        return self.result

    def step(self, shipped_step: Step) -> bool:
        """Walk one step; False once the review is reached (the walk ends there)."""
        name = shipped_step.name
        self.arrive(name)
        if self.planned(name).fields():
            self.teach_fields(name)
            known = locate.map_targets(self.effective())
            fields.fill_step(
                self.page, self.planned(name), self.timeouts, guard=self.guard, known=known
            )
        for element in elements(shipped_step):
            if element.slot == "click":
                self.click(name, element.name)
            elif element.slot == "input":
                self.code(name)
        if any(isinstance(a, ReviewGate) for a in shipped_step.actions):
            self.review(name)
            return False
        return True

    def arrive(self, step_name: str) -> None:
        found = self.element(step_name, "wait for")
        assert found is not None  # every step has one
        element = found[0]
        located = locate.wait_visible(self.page, element.target, self.timeouts.step_ms)
        if (located.found or located.doubled) and not self.reteach(element):
            return
        why = self.why(element, located)
        if not self.teach(element, why):
            raise _Stop(f"the {step_name} step did not appear, and its first field was skipped")

    def teach_fields(self, step_name: str) -> None:
        step = self.current(step_name)
        assert step is not None
        planned = self.planned(step_name)
        rows = sum(len(a.rows) for a in planned.fields() if a.kind == "rows")
        checks = [
            e
            for e in elements(step)
            if e.slot in ("target", "number", "display_name") or (e.slot == "add" and rows > 1)
        ]
        locate.settle(self.page, self.guard)
        found = locate.resolve(self.page, [_first(e) for e in checks])
        for element, located in zip(checks, found, strict=True):
            if located.found and not self.reteach(element):
                continue
            if not located.found and not located.doubled and not self.reteach(element):
                if element.when_present:
                    logger.info("%s: not on this page (the map allows it).", element.where)
                    continue
                located = locate.wait_visible(self.page, _first(element), self.options.ask_after_ms)
                if located.found:
                    continue
            if not self.teach(element, self.why(element, located)) and not element.absent_ok:
                raise _Stop(
                    f"{element.where} was skipped; the {step_name} step cannot be filled without it"
                )

    def click(self, step_name: str, name: str) -> None:
        found = self.element(step_name, name)
        if found is None:
            return  # not on this portal: not clicked
        element, _ = found
        located = locate.wait_visible(self.page, element.target, self.options.ask_after_ms)
        needed = not located.found or self.reteach(element)
        if needed and not self.teach(element, self.why(element, located)):
            raise _Stop(f"{element.where} was skipped; the walk cannot go on without it")
        found = self.element(step_name, name)
        if found is None:
            return  # the person said it is not on this page
        action = found[1]
        assert isinstance(action, ClickAction)
        try:
            clicks.click(self.page, step_name, action, self.timeouts, self.guard)
        except PortalError as error:
            after = self.element(step_name, f"after {name}")
            if after is None or locate.present(self.page, after[0].target) or self.errors_shown():
                raise
            why = "The map cannot see what the click brought up."
            if not self.teach(after[0], why):
                raise _Stop(
                    f"{after[0].where} was skipped; the walk cannot tell the click worked"
                ) from error
            return
        after = self.element(step_name, f"after {name}")
        if after is not None and self.reteach(after[0]):
            self.teach(after[0], "You asked to teach it again.")

    def code(self, step_name: str) -> None:
        for name in ("verification code", "verify button"):
            found = self.element(step_name, name)
            if found is None:
                continue
            element = found[0]
            located = locate.wait_visible(self.page, element.target, self.options.ask_after_ms)
            if (not located.found or self.reteach(element)) and not self.teach(
                element, self.why(element, located)
            ):
                raise _Stop(f"{element.where} was skipped; the code cannot be given without it")
        problem = ""
        for attempt in range(1, MAX_CODE_ATTEMPTS + 1):
            found = self.element(step_name, "verification code")
            gate = found[1] if found is not None else None
            assert isinstance(gate, CodeGate)
            request = CodeRequest(
                email=self.profile.contact.email,
                digits=gate.digits,
                attempt=attempt,
                problem=problem,
                browser_visible=True,
            )
            code = self.code_source.code(request)
            if code:
                log.register_secret(code)
            result = code_entry.enter_code(
                self.page, step_name, gate, code, self.timeouts, self.guard
            )
            accepted = self.element(step_name, "code accepted")
            if result.accepted:
                if gate.confirm is not None:  # else the portal checks it only at submit
                    self.say("The portal accepted the code.")
                if accepted is not None and self.reteach(accepted[0]):
                    self.teach(accepted[0], "You asked to teach it again.")
                return
            # Neither accepted nor refused, as far as the map can tell: let the person show.
            unsure = accepted is not None and not self.errors_shown()
            why = "The map cannot tell whether the page took the code."
            if unsure and accepted is not None and self.teach(accepted[0], why):
                return
            problem = result.message
        raise _Stop(f"the portal refused the code {MAX_CODE_ATTEMPTS} times ({problem})")

    def review(self, step_name: str) -> None:
        found = self.element(step_name, "submit button")
        if found is not None:
            element = found[0]
            located = locate.wait_visible(self.page, element.target, self.options.ask_after_ms)
            if not located.found or self.reteach(element):
                self.teach(element, self.why(element, located))
        self.say("Reached the review: learning ends here, and nothing was submitted.")

    # -- asking the person -----------------------------------------------------------------------

    def why(self, element: Element, located: locate.Located) -> str:
        if self.reteach(element):
            return "You asked to teach it again."
        if located.doubled:
            return f"The map finds {located.doubled} of them; click the right one."
        return f"The map cannot find it (tried {located.tried()})."

    def teach(self, element: Element, why: str) -> bool:
        """Ask the person for `element`; True once it is learnt or said to be absent."""
        prompt = overlay.Prompt(element, why)
        while True:
            answer = overlay.ask(self.page, prompt, self.person)
            self.result.refusals.extend(answer.refusals)
            if answer.action == "skip":
                self.skipped.add((element.step, element.name))
                self.result.skipped.append(element.where)
                self.say(f"Skipped {element.where}.")
                return False
            if answer.action == "absent":
                self.keep(element, ElementOverride(absent=True))
                self.say(f"Learnt {element.where}: not on this portal.")
                return True
            assert answer.anchor is not None
            label = element.target.expect_label
            relabelled = label is not None and answer.label.lower() != label.lower()
            override = ElementOverride(
                any=(answer.anchor,), expect_label=answer.label if relabelled else None
            )
            # The run will find it through the merged target: check that it finds this one.
            target = merged(element.target, override)
            located = locate.resolve(self.page, [target.with_index(0) if element.row else target])[
                0
            ]
            if located.anchor != 0:
                prompt = replace(
                    prompt, why="That anchor did not find it again; click it once more."
                )
                continue
            self.keep(element, override)
            narrowed = f" (passed over: {'; '.join(answer.tried)})" if answer.tried else ""
            self.say(f"Learnt {element.where}: {answer.anchor.describe()}{narrowed}.")
            return True

    def keep(self, element: Element, override: ElementOverride) -> None:
        self.result.proposal = self.result.proposal.changed(element.step, element.name, override)
        self.skipped.discard((element.step, element.name))
        self.result.learnt.append(element.where)

    def errors_shown(self) -> bool:
        shown = locate.evaluate(
            self.page, "(s) => window.__assistant.visibleErrors(s)", ERROR_REGIONS
        )
        return bool(shown)


def _first(element: Element) -> Target:
    """The element's target, for its first row where it is a number row's."""
    return element.target.with_index(0) if element.row else element.target


def offer_to_save(
    terminal: Terminal, name: str, shipped: PortalMap, learnt: Learnt, host: str = ""
) -> Path | None:
    """Show the proposal as a diff against the shipped map and save it, as the repairs for
    `host` (default: the map's own), when the person types yes; None when there was nothing
    new. Raises `NotConfirmed` (`Stopped` for Ctrl-C or end of input) when they do not, or
    when nobody can answer (no terminal): nothing saved."""
    host = host or shipped.real_host
    if not learnt.changed:
        terminal.say("Nothing new was learnt; your repairs of the map are unchanged.")
        return None
    path = overrides_path(name)
    terminal.say(f"Proposed repairs of the map {name} for {host}, against the map as shipped:")
    for line in diff_lines(shipped, learnt.proposal):
        terminal.say(line)
    if not terminal.is_tty():
        raise NotConfirmed(
            "Input is not a terminal, so nobody could say yes; nothing was saved. Run "
            "`assistant learn` in a terminal."
        )
    try:
        answer = terminal.ask(f'Save them to {path}, for {host} only? Type "{SAVE_WORD}" to save: ')
    except KeyboardInterrupt:
        raise Stopped("Stopped with Ctrl-C; nothing was saved.") from None
    if answer is None:
        raise Stopped("Stopped with Ctrl-D (end of input); nothing was saved.")
    if answer.strip().lower() != SAVE_WORD:
        raise NotConfirmed(
            f'You typed "{answer.strip()[:20]}", not "{SAVE_WORD}"; nothing was saved.'
        )
    return save_overrides(name, learnt.proposal, host)
