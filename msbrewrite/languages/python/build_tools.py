"""setuptools, pkg_resources and wheel in the runtime's virtualenv: dropped unless something uses them.

`python -m venv` puts setuptools (with pkg_resources and the `_distutils_hack` .pth file) into
every virtualenv made by Python 3.11 and older, and many builds install `wheel` beside it. They
build packages; the runtime only imports them when an installed library or the app does (old
libraries still call `pkg_resources` at run time). Only the builder knows what was installed, so a
step there reads every file the runtime gets (the virtualenv and the app's copies) and removes
them only when no file imports them outside a `try ... except ImportError` (or an `if` on
`TYPE_CHECKING` or `sys.modules`) and no installed distribution requires them outside an extra.
A package's own tests, its `distutils` folder and the modules it registers as setuptools plugins
do not count. Anything unexpected keeps them, and the step cannot fail the build.

When something does use them: the step runs only where the runtime is the builder's own image
(venv.drop_build_tools), and the original imported the base image's setuptools from its system
site-packages. When that base has the setuptools version the virtualenv holds, the virtualenv's
copy goes and its `pyvenv.cfg` lets it see the base's site-packages, as the original saw them (the
virtualenv's own packages, its wheel among them, still come first): the same code, without a
second copy that made the converted image larger than the original. Another version (a pin in the
requirements) stays in the virtualenv.
"""
from __future__ import annotations

from msbrewrite.model.quoting import sh

# the checker, written into the builder with printf (no heredoc: Docker Engine 20.10): exit 0
# means nothing needs the build tools; written for every Python 3 a builder may have
CHECKER = r"""import ast, glob, os, re, sys
SKIP = {"__pycache__", "tests", "test"}
NAMES = {"pkg_resources", "setuptools", "distutils", "wheel", "_distutils_hack"}
OWN = re.compile(r"^((setuptools|pkg_resources|_distutils_hack|wheel|pip)(-[^/]*[.]dist-info)?|distutils-precedence[.]pth)$")
REQUIRES = re.compile(r"^Requires-Dist:[ ]*(setuptools|wheel)([^A-Za-z0-9_.-].*)?$", re.I | re.M)
GUARDS = {None, "ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
def top(name):
    return isinstance(name, str) and name.split(".")[0] in NAMES
def imports(node):
    if isinstance(node, ast.Call) and node.args and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("__import__", "import_module"):
        return top(vars(node.args[0]).get("value", vars(node.args[0]).get("s")))
    return isinstance(node, ast.Import) and any(top(a.name) for a in node.names) or isinstance(node, ast.ImportFrom) and not node.level and top(node.module)
def guarded(node):
    kinds = [k for h in getattr(node, "handlers", []) for k in (h.type.elts if isinstance(h.type, ast.Tuple) else [h.type])]
    return any(getattr(k, "id", getattr(k, "attr", None)) in GUARDS for k in kinds) or isinstance(node, ast.If) and re.search(r"TYPE_CHECKING|attr=.modules.", ast.dump(node.test)) is not None
def uses(path, name):
    if os.path.islink(path) or not (name.endswith((".py", ".pth")) or name == "METADATA" or path.endswith("/bin/" + name)):
        return False
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    if name == "METADATA":
        return any("extra" not in (m.group(2) or "") for m in REQUIRES.finditer(text))
    if not any(n in text for n in NAMES) or not name.endswith((".py", ".pth")) and not text.startswith("#!"):
        return False
    try:
        tree = ast.parse(text)
    except Exception:
        return True
    optional = set(id(n) for g in ast.walk(tree) if guarded(g) for part in g.body for n in ast.walk(part))
    return any(imports(n) and id(n) not in optional for n in ast.walk(tree))
def plugins(site):
    found = set()
    for info in glob.glob(os.path.join(site, "*.dist-info", "entry_points.txt")):
        group = ""
        for line in open(info, encoding="utf-8", errors="replace"):
            group = line.strip()[1:-1] if line.startswith("[") else group
            if group.startswith(("distutils.", "setuptools.", "egg_info.")) and "=" in line:
                found.add(os.path.join(site, *line.split("=", 1)[1].split(":")[0].strip().split(".")) + ".py")
    return found
def versions(dirs):
    from importlib.metadata import distributions
    return [d.version for d in distributions(path=dirs) if (d.metadata["Name"] or "").lower() == "setuptools"][:1]
def base_same(venv, base):
    try:
        mine = versions(glob.glob(os.path.join(venv, "lib", "python3*", "site-packages")))
        return bool(mine) and versions([d for d in base if os.path.isdir(d)]) == mine
    except Exception:
        return False
def main():
    import site
    skip = set()
    for root in sys.argv[1:]:
        found = [(os.path.dirname(root), [], [os.path.basename(root)])] if os.path.isfile(root) else os.walk(root)
        for here, dirs, files in found:
            own = os.path.basename(here) == "site-packages"
            skip = skip | plugins(here) if own else skip
            dirs[:] = [d for d in dirs if d not in SKIP and not (own and OWN.match(d)) and not (d == "distutils" and "site-packages" in here)]
            for name in files:
                path = os.path.join(here, name)
                if not (own and OWN.match(name)) and path not in skip and uses(path, name):
                    if base_same(sys.argv[1], site.getsitepackages([sys.base_prefix])):
                        print("msb: " + path + " uses them: the virtualenv sees the base image setuptools, the same version, instead of its own")
                        sys.exit(2)
                    print("msb: setuptools and wheel stay in the virtualenv: " + path + " uses them")
                    sys.exit(1)
if __name__ == "__main__":
    main()
"""

SCRIPT = "/tmp/msb-build-tools.py"


def drop_step(venv: str, roots: list[str], base_setuptools: bool = True) -> str:
    """The builder block: write the checker, run it over the virtualenv and the app's copies, and
    remove the build tools from the virtualenv when it finds no use of them. `base_setuptools`: the
    runtime's base has the builder's system site-packages (an official python image, not a
    distribution Python whose python3-setuptools the runtime does not install), so a use may be
    served from there."""
    site = f"{sh(venv)}/lib/python3*/site-packages"
    setuptools = [f"{site}/{name}" for name in ("setuptools", "setuptools-*.dist-info", "pkg_resources",
                                                "_distutils_hack", "distutils-precedence.pth")]
    setuptools.append(f"{sh(venv)}/bin/easy_install*")
    wheel = [f"{site}/wheel", f"{site}/wheel-*.dist-info", f"{sh(venv)}/bin/wheel"]
    printf = " \\\n        ".join(sh(line) for line in CHECKER.splitlines())
    checked = " ".join(sh(p) for p in [venv, *roots])
    cfg = f"{sh(venv)}/pyvenv.cfg"
    return ("# setuptools, pkg_resources and wheel build packages: the runtime's virtualenv goes without them\n"
            "# unless an installed package or the app imports them (the check reads every file it gets)" + (
                "; then,\n# when the base image has the same setuptools, the virtualenv sees the base's instead of "
                "its own\n" if base_setuptools else "\n") +
            f"RUN printf '%s\\n' \\\n        {printf} \\\n    > {SCRIPT} \\\n"
            f"    && {{ {sh(venv)}/bin/python {SCRIPT} {checked}; found=$?; \\\n"
            f"    if [ \"$found\" = 0 ]; then \\\n"
            f"        rm -rf {' '.join(setuptools + wheel)}; \\\n" + (
            f"    elif [ \"$found\" = 2 ] \\\n"
            f"        && sed -i 's/^include-system-site-packages *= *false$/include-system-site-packages = true/' {cfg} \\\n"
            f"        && grep -q '^include-system-site-packages = true$' {cfg}; then \\\n"
            f"        rm -rf {' '.join(setuptools)}; \\\n" if base_setuptools else "") +
            f"    fi; }}; \\\n"
            f"    rm -f {SCRIPT}")
