""""Calibrate to me": a short guided session in which the user signs the pack's most common
signs a couple of times; each pair of examples becomes a personal prototype of that sign, so
the user's own way of signing competes with the pack's labels (few-shot, same signer).

Plain Python: the GUI walks the plan, records each step through the live session's ``tap``
and hands the clips to ``Library.add_sign`` / ``add_examples`` (source = the camera or file).
"""
from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SIGNS = 8
DEFAULT_REPEATS = 2


@dataclass(frozen=True)
class Step:
    label: str        # the pack's label id
    text: str         # as a person reads it
    language: str
    repeat: int       # 1-based: which of this sign's repetitions
    repeats: int

    @property
    def prompt(self) -> str:
        return f"Sign “{self.text}” ({self.repeat} of {self.repeats})"


def common_labels(pack, n: int = DEFAULT_SIGNS) -> list:
    """The pack's labels most signers know: the manifest's ``common_labels`` order when the pack
    has it (written by training from signer counts), else the pack's own label order."""
    by_id = {lab.id: lab for lab in pack.labels}
    listed = (getattr(pack, "manifest", None) or {}).get("common_labels")
    listed = getattr(pack, "common_labels", None) or listed or []
    order = [i for i in listed if isinstance(i, str) and i in by_id]
    order += [lab.id for lab in pack.labels if lab.id not in order]
    return [by_id[i] for i in order[: max(1, n)]]


def plan(pack, n: int = DEFAULT_SIGNS, repeats: int = DEFAULT_REPEATS, language: str | None = None) -> list[Step]:
    labels = [lab for lab in common_labels(pack, len(pack.labels)) if language in (None, "", lab.language)][:n]
    return [Step(lab.id, lab.display, lab.language, r + 1, repeats) for lab in labels for r in range(repeats)]


@dataclass
class Progress:
    """Where the user is in a plan; skipping a sign drops its remaining repetitions."""
    steps: list[Step]
    index: int = 0

    @property
    def done(self) -> bool:
        return self.index >= len(self.steps)

    @property
    def step(self) -> Step | None:
        return None if self.done else self.steps[self.index]

    def next(self) -> Step | None:
        self.index = min(self.index + 1, len(self.steps))
        return self.step

    def skip_sign(self) -> Step | None:
        label = self.step.label if self.step else None
        while self.step is not None and self.step.label == label:
            self.index += 1
        return self.step

    @property
    def fraction(self) -> float:
        return self.index / max(1, len(self.steps))


def store(lib, step: Step, examples: list, pack: str = ""):
    """Keep ``examples`` (``library.NewExample``) as the user's own prototype of ``step``'s sign:
    a new personal sign named like the pack's label (so live recognition names it the same), or
    more examples of one made before (its oldest examples give way past the library's maximum)."""
    from .library import MAX_EXAMPLES, LibraryError

    try:
        sign = lib.get(step.label, step.language)
    except LibraryError:
        return lib.add_sign(step.label, step.language, examples, pack=pack, min_examples=1)
    old = lib.examples(sign, with_frames=False)
    for ex in old[: max(0, len(old) + len(examples) - MAX_EXAMPLES)]:
        lib.remove_example(ex.id)
    return lib.add_examples(sign, examples, pack=pack)
