"""Every Python snippet of the documentation runs as written.

Collected: each ``.. code-block:: python`` block of ``doc/*.rst`` and each
```` ```python ```` block of ``README.md``. Literal blocks (``::``) are not
Python snippets and are not run (shell commands, the dask cluster of the
scaling guide).

Each block runs on its own, in a fresh namespace, as a reader pasting it into
a new session would: no block relies on one before it, so the docs must write
each snippet with its imports. A block must show a result, by printing it or
asserting it. Warnings are errors: a reader copying a snippet should see none.

``ENGINE_DEPENDENT`` lists, with the reason, the blocks that wait for the
exploration engine to cover what they show; they are skipped, not weakened.
``ENGINE_BROKEN`` lists the blocks the engine rewrite broke (they call an API
that changed); they are strict expected failures until the docs follow.
``SLOW`` lists blocks that run but take minutes: they are marked ``slow``
(``pytest -m slow``). The engine's owner empties the lists as the engine
catches up. An entry that matches no block fails, so the lists cannot go stale.
"""

import importlib.util
import pathlib
import re
import textwrap
import warnings

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

# (file, a piece of the block's text) -> reason
ENGINE_DEPENDENT = {}

ENGINE_BROKEN = {}

SLOW = {}

# modules of optional extras: a block importing one is skipped where it is missing
OPTIONAL = ("pymoo",)


def _rst_blocks(text):
    """The ``.. code-block:: python`` blocks of a reST text, dedented."""
    lines = text.splitlines()
    blocks = []
    for i, line in enumerate(lines):
        match = re.match(r"^(\s*)\.\. (?:code-block|code|sourcecode):: (?:python3?|py)\s*$",
                         line)
        if not match:
            continue
        indent = len(match.group(1))
        body = []
        for following in lines[i + 1:]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break  # back at the directive's level: the block is over
            body.append(following)
        # the directive's options (":caption: ...") come before the first blank line
        while body and (not body[0].strip() or body[0].strip().startswith(":")):
            body.pop(0)
        blocks.append(textwrap.dedent("\n".join(body)).strip() + "\n")
    return blocks


def _collect():
    snippets = []
    for path in sorted((ROOT / "doc").glob("*.rst")):
        blocks = _rst_blocks(path.read_text())
        snippets += [(f"doc/{path.name}", k, block) for k, block in enumerate(blocks)]
    readme = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    snippets += [("README.md", k, block) for k, block in enumerate(readme)]
    return snippets


SNIPPETS = _collect()


def _listed(listing, name, block):
    return [reason for (where, piece), reason in listing.items()
            if where == name and piece in block]


def _engine_dependent(name, block):
    return _listed(ENGINE_DEPENDENT, name, block)


def _params():
    params = []
    for name, k, block in SNIPPETS:
        marks = [pytest.mark.xfail(reason=r, strict=True)
                 for r in _listed(ENGINE_BROKEN, name, block)]
        marks += [pytest.mark.slow] if _listed(SLOW, name, block) else []
        params.append(pytest.param(name, k, block, marks=marks, id=f"{name}-{k}"))
    return params


def test_the_collector_finds_every_python_block():
    text = textwrap.dedent("""
        Title
        =====

        .. code-block:: python
           :caption: with an option

           x = 1

           print(x)

        .. code-block:: bash

           make test

        * a list item with a block

          .. code:: python

             y = 2
        Not a block::

           z = 3
        """)
    assert _rst_blocks(text) == ["x = 1\n\nprint(x)\n", "y = 2\n"]


def test_the_docs_have_snippets():
    names = {name for name, _, _ in SNIPPETS}
    assert {"README.md", "doc/index.rst", "doc/user_guide.rst"} <= names
    assert sum(name == "README.md" for name, _, _ in SNIPPETS) >= 2


def test_every_listed_entry_names_one_block():
    for listing in (ENGINE_DEPENDENT, ENGINE_BROKEN, SLOW):
        for (where, piece), _ in listing.items():
            matches = [k for name, k, block in SNIPPETS if name == where and piece in block]
            assert len(matches) == 1, f"{where}: {piece!r} matches blocks {matches}"


@pytest.mark.parametrize("name, index, block", _params())
def test_snippet_runs(name, index, block, capsys):
    reasons = _engine_dependent(name, block)
    if reasons:
        pytest.skip(reasons[0])
    for module in OPTIONAL:
        if re.search(rf"^\s*(from|import) {module}\b", block, flags=re.M) and \
                importlib.util.find_spec(module) is None:
            pytest.skip(f"needs the optional {module}")
    shows = "print(" in block or re.search(r"^\s*assert\b", block, flags=re.M)
    assert shows, f"{name} block {index} neither prints nor asserts its result"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(compile(block, f"{name} block {index}", "exec"), {"__name__": "__doc_snippet__"})
    if "print(" in block:
        assert capsys.readouterr().out.strip()
