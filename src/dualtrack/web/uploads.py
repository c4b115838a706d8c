"""Uploaded scenarios: size, encoding and YAML alias checks before the usual validation.

The text is safe-loaded (no object construction) and validated by
:func:`dualtrack.scenario.loading.scenario_from_text`, so an upload gets exactly the located
errors of ``dualtrack validate``. Before that, a YAML document whose aliases would expand to
more than :data:`MAX_NODES` nodes (a "billion laughs") is refused: safe loading shares the
aliased nodes, but validating them would visit every copy. The facilitator's injects, also
YAML, pass the same alias check (:func:`aliases_explode`).
"""

from __future__ import annotations

import functools

import yaml

from dualtrack.scenario.errors import Problem, ScenarioError
from dualtrack.scenario.loading import builtin_scenarios, load_scenario, scenario_from_text
from dualtrack.scenario.schema import Scenario

MAX_SCENARIO_BYTES = 512 * 1024
MAX_NODES = 200_000


def _expanded_size(root: yaml.Node) -> int:
    """Nodes the document has once every alias is expanded, computed without expanding
    (capped at ``MAX_NODES + 1``); a node that contains itself counts as too many."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:  # post-order without recursion: a deep document cannot exhaust the stack
        node, children_done = stack.pop()
        if children_done:
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            sizes[id(node)] = min(total, MAX_NODES + 1)
            open_nodes.discard(id(node))
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:  # an alias inside its own anchor
            return MAX_NODES + 1
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def uploaded_scenario(data: bytes, source: str) -> Scenario:
    """A validated scenario from an uploaded file's bytes, or a located ScenarioError."""
    if len(data) > MAX_SCENARIO_BYTES:
        message = f"too large: {len(data)} bytes; expected at most {MAX_SCENARIO_BYTES}"
        raise ScenarioError([Problem("", message)], source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"cannot read: not UTF-8 text (byte {error.start})"
        raise ScenarioError([Problem("", message)], source) from None
    if aliases_explode(text):
        message = f"its aliases expand to more than {MAX_NODES} YAML nodes; expected a plain file"
        raise ScenarioError([Problem("", message)], source)
    return scenario_from_text(text, source)


def aliases_explode(text: str) -> bool:
    """Whether the YAML ``text`` has more than :data:`MAX_NODES` nodes once its aliases are
    expanded (False for text that does not parse: the loader that follows locates the error)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return False
    return root is not None and _expanded_size(root) > MAX_NODES


@functools.cache
def builtins() -> dict[str, str]:
    """The built-in scenarios' ids and descriptions (read once: they ship with the package)."""
    return builtin_scenarios()


def builtin_scenario(name: str) -> Scenario:
    """A built-in scenario by id, or a located ScenarioError naming the known ones (never a
    file: a name is only looked up among the built-in ones)."""
    known = builtins()
    if name not in known:
        message = f"not a built-in scenario; expected one of {', '.join(known)}"
        raise ScenarioError([Problem("scenario", message)], repr(name))
    return load_scenario(name)
