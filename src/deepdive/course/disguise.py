"""Disguises: one of the course's apps rewritten at random for one check, doing the same.

A task that judges the learner's tests runs them beside the platform's own apps, with the bug
and without (see `deepdive.course.grading`). Those apps are files of the course, which is
public, so a test file could carry their exact texts and tell them apart without asking them
anything. Each check therefore runs a fresh disguise of every app, a text nobody has seen:

* private module names (`_shelf`) and the local variables of functions get random names, and
  functions get locals nobody reads;
* the route handlers are declared in a random order (routes of one HTTP method keep theirs, so
  the route that answers a request never changes);
* comparisons of plain names, attributes and constants are written either way round (`a <= b`
  or `b >= a`);
* unused private constants and helpers with random names and values, and random comments, are
  put between the module's statements, and the whole module is laid out afresh.

What the app's tests can reach stays as it is: its public names (`app`, `get_shelf`, `Shelf`),
its classes' attributes, its functions' parameters (FastAPI reads them as query and path
parameters), and everything it does over HTTP.
"""

from __future__ import annotations

import ast
import builtins
import random
import secrets
from collections.abc import Iterator

_WORDS = (
    "amber", "basin", "cedar", "delta", "ember", "fjord", "grove", "heron", "inlet", "juniper",
    "kestrel", "larch", "maple", "nettle", "otter", "pebble", "quartz", "raven", "sorrel",
    "thistle", "umber", "vale", "willow", "yarrow", "zephyr",
)  # fmt: skip
_ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_ANY_METHOD = frozenset({"api_route", "route", "websocket", "websocket_route", "add_api_route"})
_FLIPPED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.Gt,
    ast.Gt: ast.Lt,
    ast.LtE: ast.GtE,
    ast.GtE: ast.LtE,
    ast.Eq: ast.Eq,
    ast.NotEq: ast.NotEq,
}
# Code that reads its own names: its locals cannot be renamed.
_INTROSPECTING = frozenset({"locals", "vars", "eval", "exec", "globals", "dir"})


def disguise(source: str, rng: random.Random | None = None) -> str:
    """`source` (a module) rewritten at random; it behaves as `source` does."""
    rng = rng or random.Random(secrets.randbits(64))
    tree = ast.parse(source)
    names = _Names(tree, rng)
    _rename(tree, _private_globals(tree), names)
    module = _module_names(tree)
    for function in _functions(tree):
        _rename_locals(function, module, names)
    _flip_comparisons(tree, rng)
    tree.body = _shuffle_routes(tree.body, rng)
    return _layout(tree, names, rng)


class _Names:
    """Fresh identifiers, none of them used in the module already."""

    def __init__(self, tree: ast.Module, rng: random.Random) -> None:
        self.rng = rng
        self.taken = set(dir(builtins))
        for node in ast.walk(tree):
            for field in ("id", "name", "attr", "arg", "asname"):
                value = getattr(node, field, None)
                if isinstance(value, str):
                    self.taken.add(value)

    def fresh(self, *, private: bool) -> str:
        while True:
            name = f"{self.rng.choice(_WORDS)}_{self.rng.getrandbits(20):x}"
            name = f"_{name}" if private else name
            if name not in self.taken:
                self.taken.add(name)
                return name


def _module_names(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(statement.name)
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            found.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
        else:
            for node in ast.walk(statement):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    found.add(node.id)
    return found


def _private_globals(tree: ast.Module) -> dict[str, str | None]:
    """Module-level `_names` no function binds again (renamed everywhere in the module)."""
    private = {
        name for name in _module_names(tree) if name.startswith("_") and not name.startswith("__")
    }
    imported = {
        (alias.asname or alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    private -= imported
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            private.discard(node.arg)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            private.difference_update(node.names)
    for function in (
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
    ):
        for node in ast.walk(function):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                private.discard(node.id)
    return dict.fromkeys(sorted(private))


def _rename(tree: ast.AST, mapping: dict[str, str | None], names: _Names) -> None:
    for old in mapping:
        mapping[old] = names.fresh(private=old.startswith("_"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in mapping:
            node.id = mapping[node.id] or node.id
        elif (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name in mapping
        ):
            node.name = mapping[node.name] or node.name


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Functions of the module and methods of its classes (not functions nested in them)."""
    for statement in tree.body:
        bodies = [statement.body] if isinstance(statement, ast.ClassDef) else [[statement]]
        for body in bodies:
            for node in body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield node


def _rename_locals(
    function: ast.FunctionDef | ast.AsyncFunctionDef, module: set[str], names: _Names
) -> None:
    """Give the function's local variables (never its parameters) random names.

    Only the body is rewritten: decorators, defaults and annotations belong to the enclosing
    scope. A function with scopes of its own inside, or one that may read its names as
    strings, is left alone."""
    inside = [node for statement in function.body for node in ast.walk(statement)]
    for node in inside:
        if isinstance(
            node,
            ast.FunctionDef
            | ast.AsyncFunctionDef
            | ast.Lambda
            | ast.ClassDef
            | ast.Global
            | ast.Nonlocal
            | ast.Import
            | ast.ImportFrom
            | ast.Match
            | ast.ExceptHandler,
        ):
            return
        if isinstance(node, ast.Name) and node.id in _INTROSPECTING:
            return
    arguments = function.args
    parameters = {
        arg.arg
        for arg in (
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            *(a for a in (arguments.vararg, arguments.kwarg) if a is not None),
        )
    }
    stored = {
        node.id
        for node in inside
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
    }
    local = sorted(stored - parameters - module - set(dir(builtins)))
    mapping = {name: names.fresh(private=False) for name in local}
    for node in inside:
        if isinstance(node, ast.Name) and node.id in mapping:
            node.id = mapping[node.id]
    _add_dead_locals(function, names)


def _add_dead_locals(function: ast.FunctionDef | ast.AsyncFunctionDef, names: _Names) -> None:
    """A local nobody reads, somewhere in the function's body (after its docstring): the body
    no longer matches any known one even once its names are set aside."""
    rng = names.rng
    first = 1 if ast.get_docstring(function, clean=False) is not None else 0
    for _ in range(rng.randint(1, 2)):
        dead = ast.parse(f"{names.fresh(private=False)} = {rng.randint(1, 10**6)}").body[0]
        function.body.insert(rng.randint(first, len(function.body)), dead)


def _flip_comparisons(tree: ast.Module, rng: random.Random) -> None:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and type(node.ops[0]) in _FLIPPED
            and _plain(node.left)
            and _plain(node.comparators[0])
            and rng.random() < 0.5
        ):
            node.left, node.comparators = node.comparators[0], [node.left]
            node.ops = [_FLIPPED[type(node.ops[0])]()]


def _plain(node: ast.expr) -> bool:
    """An operand whose evaluation has no effect, so the two sides may swap places."""
    if isinstance(node, ast.Name | ast.Constant):
        return True
    if isinstance(node, ast.Attribute):
        return _plain(node.value)
    if isinstance(node, ast.UnaryOp):
        return _plain(node.operand)
    if isinstance(node, ast.BinOp):
        return _plain(node.left) and _plain(node.right)
    return False


def _route_method(statement: ast.stmt) -> str | None:
    """The HTTP method of a route handler ("*" for any), None for any other statement."""
    if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    methods = set()
    for decorator in statement.decorator_list:
        if not (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and isinstance(decorator.func.value, ast.Name)
        ):
            return None
        name = decorator.func.attr
        if name in _ROUTE_METHODS:
            methods.add(name)
        elif name in _ANY_METHOD:
            methods.add("*")
        else:
            return None  # middleware, exception handlers, events: their order matters
    if len(methods) != 1:
        return None if not methods else "*"
    return methods.pop()


def _shuffle_routes(body: list[ast.stmt], rng: random.Random) -> list[ast.stmt]:
    """The module's statements, each run of route handlers in a random order that keeps the
    order of the routes of any one method (which decides the route that answers)."""
    result: list[ast.stmt] = []
    run: list[tuple[ast.stmt, str]] = []
    for statement in [*body, None]:
        method = _route_method(statement) if statement is not None else None
        if method is not None and statement is not None:
            run.append((statement, method))
            continue
        result.extend(_random_order(run, rng))
        run = []
        if statement is not None:
            result.append(statement)
    return result


def _random_order(run: list[tuple[ast.stmt, str]], rng: random.Random) -> list[ast.stmt]:
    left = list(range(len(run)))
    order: list[ast.stmt] = []
    while left:
        ready = [
            index
            for index in left
            if not any(
                earlier < index and _conflict(run[earlier][1], run[index][1]) for earlier in left
            )
        ]
        chosen = rng.choice(ready)
        left.remove(chosen)
        order.append(run[chosen][0])
    return order


def _conflict(one: str, other: str) -> bool:
    return one == other or "*" in (one, other)


def _layout(tree: ast.Module, names: _Names, rng: random.Random) -> str:
    """The module's text: its statements, with random comments and unused helpers between
    them (never before a docstring or a `from __future__` import)."""
    parts: list[str] = []
    first_free = 0
    for index, statement in enumerate(tree.body):
        if _must_stay_first(statement, index):
            first_free = index + 1
    for index, statement in enumerate(tree.body):
        if index >= first_free and index > 0:
            parts.extend(_decoy(names, rng) for _ in range(rng.randint(0, 1)))
            if rng.random() < 0.4:
                parts.append("# " + " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 6))))
        parts.append(ast.unparse(statement))
    separator = "\n" * rng.randint(2, 3)
    return separator.join(parts) + "\n"


def _must_stay_first(statement: ast.stmt, index: int) -> bool:
    docstring = (
        index == 0
        and isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )
    future = isinstance(statement, ast.ImportFrom) and statement.module == "__future__"
    return docstring or future


def _decoy(names: _Names, rng: random.Random) -> str:
    name = names.fresh(private=True)
    value = rng.randint(1, 10**6)
    if rng.random() < 0.5:
        return f"{name.upper()} = {value}"
    return f"def {name}() -> int:\n    return {value}"
