"""Find every problem, finding and flag code the perfeval source can emit (used by tests/test_messages.py).

The package creates codes in a few ways, all found here by reading the source (``ast``) and not by importing it:

* **calls**: ``Problem(location, "code", ...)``, ``Draft(section, unit, "code", ...)``, ``Finding("code", ...)``
  and every function or method that passes one of its parameters named ``code`` (or ``what``) on as the code of
  such a call (``ProblemLog.add("code", ...)``, ``InputError.single(loc, "code", ...)``, ``_problem(where, "code",
  ...)``, ``doc.number(..., code="bad_share")``, local helpers such as ``add(col, "code", msg)``) found by data
  flow until nothing new turns up (with the default of such a parameter, ``code="bad_choice"``); the code
  argument may be a string, ``"a" if c else "b"``, or a local variable
  assigned strings in the same function;
* **classes**: ``code = "..."`` in a class body (an exception carrying its code) and the codes ``perfeval
  validate`` makes of caught warnings (``DataQualityWarning`` -> ``data_quality``);
* **vocabularies**: the keys or elements of constants named ``*CODES``, ``*FLAGS`` or ``*FINDINGS``
  (``PROBLEM_CODES``, ``TARGET_FLAGS``, ``UNIT_FLAGS``, the indicator library's ``FINDINGS``);
* **flags**: strings put in a ``flags`` column (``out["flags"] = np.where(..., "no_budget", ...)``,
  ``flags.append("strict_op")``, ``+ ";stale"``), the keys of ``FLAG_BITS`` and of the dicts and pairs in
  functions named ``*_flags``.

A call is only counted when it passes at least two arguments (``set.add("x")`` is not a problem) and no dict or
list literal where the message goes, and a keyword-only argument a taker requires must be given
(``ProblemLog.add(code, message, *, file=...)``); a nested helper shadows a package-level function of the same name
in its enclosing function.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

CODE_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
SEEDS = {"Problem": 1, "Draft": 2, "Finding": 0}
_PARAMS = ("code", "what")


def _callee(node: ast.Call) -> str | None:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _strings(node: ast.AST | None, env: dict[str, set[str]]) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body, env) | _strings(node.orelse, env)
    if isinstance(node, ast.BoolOp):
        return set().union(*(_strings(v, env) for v in node.values))
    if isinstance(node, ast.Name):
        return env.get(node.id, set())
    return set()


def _functions(tree: ast.AST):
    """(function node, enclosing function or None) of every def in ``tree``."""
    out = []

    def walk(node, parent):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out.append((child, parent))
                walk(child, child)
            else:
                walk(child, parent)

    walk(tree, None)
    return out


def _code_arg(call: ast.Call, pos: int) -> ast.AST | None:
    if pos < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[:pos + 1]):
        return call.args[pos]
    return next((k.value for k in call.keywords if k.arg in _PARAMS), None)


def _calls(scope: ast.AST):
    """Calls made in ``scope`` itself (not in the defs nested in it)."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _env(scope: ast.AST) -> dict[str, set[str]]:
    env: dict[str, set[str]] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    env.setdefault(t.id, set()).update(_strings(node.value, {}))
    return env


def scan(*packages: str | Path) -> dict[str, list[str]]:
    """Code -> the places (``path:line``, relative to the package's parent) that create it, for every ``.py`` file
    under the ``packages`` (folders)."""
    roots = {p: Path(root) for root in packages for p in sorted(Path(root).rglob("*.py"))}
    trees = {p: ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in roots}
    functions = [(fn, parent) for t in trees.values() for fn, parent in _functions(t)]
    parents: dict[int, ast.AST | None] = {id(f): s for f, s in functions}
    nested: dict[int, set[str]] = {}
    for fn, parent in functions:
        if parent is not None:
            nested.setdefault(id(parent), set()).add(fn.name)
    # code takers: (scope id or None for package level, name) -> [(position, required keywords)]
    takers: dict[tuple[int | None, str], list[tuple[int, frozenset[str]]]] = {
        (None, name): [(pos, frozenset())] for name, pos in SEEDS.items()}
    done: set[int] = set()
    # a taker's default code: def choice(..., code="bad_choice")
    default_codes: dict[int, tuple[ast.AST, set[str]]] = {}

    def chain_of(fn: ast.AST | None) -> list[ast.AST]:
        out = []
        while fn is not None:
            out.append(fn)
            fn = parents.get(id(fn))
        return out

    def lookup(call: ast.Call, chain: list[ast.AST]) -> int | None:
        name = _callee(call)
        options = None
        if isinstance(call.func, ast.Name):
            for scope in chain:
                if name in nested.get(id(scope), ()):
                    options = takers.get((id(scope), name), [])
                    break
        if options is None:
            options = takers.get((None, name), [])
        if not options and isinstance(call.func, ast.Name):  # a nested helper passed on as a callback
            options = [o for (scope, n), opts in takers.items() if scope is not None and n == name for o in opts]
        given = {k.arg for k in call.keywords}
        fits = [pos for pos, required in options if required <= given]
        return fits[0] if fits else None

    def calls_with_taker(scope, chain):
        for call in _calls(scope):
            if len(call.args) + len(call.keywords) < 2:
                continue  # set.add("x") is no problem
            pos = lookup(call, chain)
            if pos is not None and pos + 1 < len(call.args) and isinstance(call.args[pos + 1], (ast.Dict, ast.List)):
                continue  # a message follows a code; recorder.add("stream", {...}) records no problem
            if pos is not None:
                yield call, pos

    changed = True
    while changed:
        changed = False
        for fn, parent in functions:
            if id(fn) in done:
                continue
            params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
            if params and params[0] in ("self", "cls"):
                params = params[1:]
            required = frozenset(a.arg for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults) if d is None)
            params += [a.arg for a in fn.args.kwonlyargs]
            found_pos = None
            for call, pos in calls_with_taker(fn, chain_of(fn)):
                arg = _code_arg(call, pos)
                if isinstance(arg, ast.Name) and arg.id in params and arg.id in _PARAMS:
                    found_pos = params.index(arg.id)
                    break
            if found_pos is None:
                found_pos = _stored_param(fn, params)
            if found_pos is not None:
                defaults = dict(zip([a.arg for a in fn.args.posonlyargs + fn.args.args][::-1], fn.args.defaults[::-1]))
                defaults.update({a.arg: d for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults) if d is not None})
                default_codes[id(fn)] = (fn, {d.value for name, d in defaults.items() if name in _PARAMS
                                              and isinstance(d, ast.Constant) and isinstance(d.value, str)})
                key = (id(parent) if parent is not None else None, fn.name)
                takers.setdefault(key, []).append((found_pos, required))
                done.add(id(fn))
                changed = True

    found: dict[str, set[str]] = {}

    def note(values, p, node):
        for v in values:
            v = v.strip(";")
            if CODE_RE.match(v):
                found.setdefault(v, set()).add(f"{p.relative_to(roots[p].parent).as_posix()}:{node.lineno}")

    files = {id(fn): p for p, tree in trees.items() for fn, _ in _functions(tree)}
    for fn_id, (fn, values) in default_codes.items():
        note(values, files[fn_id], fn)
    for p, tree in trees.items():
        scopes = [(tree, [])] + [(fn, chain_of(fn)) for fn, _ in _functions(tree)]
        for scope, chain in scopes:
            env = _env(scope)
            for call, pos in calls_with_taker(scope, chain):
                note(_strings(_code_arg(call, pos), env), p, call)
        for node in ast.walk(tree):
            if hasattr(node, "lineno"):
                note(_flag_strings(node), p, node)
    return {k: sorted(v) for k, v in sorted(found.items())}


def _stored_param(fn: ast.AST, params: list[str]) -> int | None:
    """Position of the parameter that ``fn`` stores as a code: ``(col, code, msg)`` tuples of a parameter named
    ``code`` appended or returned, or any parameter stored under a ``"code"`` key of a dict."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and k.value == "code" and isinstance(v, ast.Name) and v.id in params:
                    return params.index(v.id)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
                and "code" in params and node.args and isinstance(node.args[0], ast.Tuple)
                and any(isinstance(e, ast.Name) and e.id == "code" for e in node.args[0].elts)):
            return params.index("code")
    return None


def _class_codes(node: ast.AST) -> set[str]:
    """``code = "ambiguous_number"`` in a class body (exceptions carrying their problem code), and the code
    ``perfeval validate`` gives a caught warning of a ``*Warning`` class (``DataQualityWarning`` ->
    ``data_quality``)."""
    if not isinstance(node, ast.ClassDef):
        return set()
    out = {stmt.value.value for stmt in node.body
           if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
           and isinstance(stmt.value.value, str)
           and any(isinstance(t, ast.Name) and t.id == "code"
                   for t in stmt.targets)}
    if node.name.endswith("Warning") and node.name != "Warning":
        out.add(re.sub(r"(?<!^)(?=[A-Z])", "_", node.name).lower().removesuffix("_warning") or "warning")
    return out


_VOCABULARY = re.compile(r"^_?(?:[A-Z][A-Z0-9_]*_)?(?:CODES|FLAGS|FINDINGS)$")


def _vocabulary(node: ast.AST) -> set[str]:
    """The codes of a vocabulary constant: ``PROBLEM_CODES = {"code": "meaning"}``, ``TARGET_FLAGS = ("a", "b")``,
    ``UNIT_FLAGS = MappingProxyType({...})``, ``FINDINGS = ("not_in_library", ...)``: its dict keys or elements."""
    if isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        targets, value = [node.target], node.value
    else:
        return set()
    if not any(isinstance(t, ast.Name) and _VOCABULARY.match(t.id) for t in targets):
        return set()
    while isinstance(value, ast.Call) and value.args:   # MappingProxyType({...}), frozenset({...})
        value = value.args[0]
    if isinstance(value, ast.Dict):
        items = value.keys
    elif isinstance(value, (ast.Tuple, ast.List, ast.Set)):
        items = value.elts
    else:
        return set()
    return {k.value for k in items if isinstance(k, ast.Constant) and isinstance(k.value, str)}


def _flag_strings(node: ast.AST) -> set[str]:
    """Strings that ``node`` puts in a ``flags`` column (and :func:`_class_codes`, :func:`_vocabulary`)."""
    if isinstance(node, ast.ClassDef):
        return _class_codes(node)
    found = _vocabulary(node)
    if found:
        return found
    def consts(value):
        keys = {id(n.slice) for n in ast.walk(value) if isinstance(n, ast.Subscript)}
        return {n.value for n in ast.walk(value)
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in keys}

    if isinstance(node, ast.Assign):
        for t in node.targets:
            key = t.slice if isinstance(t, ast.Subscript) else None
            if isinstance(key, ast.Constant) and key.value == "flags":
                return consts(node.value)
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "FLAG_BITS":
        return consts(node.value)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "flags"):
        return consts(node)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.endswith("_flags"):
        out: set[str] = set()
        for n in ast.walk(node):
            if isinstance(n, ast.Dict):
                out |= {k.value for k in n.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            if isinstance(n, ast.Tuple) and len(n.elts) == 2 and isinstance(n.elts[0], ast.Constant) \
                    and isinstance(n.elts[0].value, str):
                out.add(n.elts[0].value)
        return out
    return set()
