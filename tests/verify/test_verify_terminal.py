"""A compose service that runs the image with `stdin_open`/`tty` gets the same flags under verify:
a dev server that stops when its input closes runs there as it does under compose."""
from __future__ import annotations

from msbrewrite.model.context import Context
from msbrewrite.rules.compose_usage import services_in
from msbrewrite.verify.env import terminal_args


def _services(tmp_path, compose: str):
    (tmp_path / "docker-compose.yml").write_text(compose)
    return services_in(Context(str(tmp_path)))


def test_stdin_open_and_tty_of_the_service_built_here_become_run_flags(tmp_path):
    services = _services(tmp_path, "services:\n  db:\n    image: postgres\n    tty: true\n"
                                   "  frontend:\n    build: .\n    stdin_open: true\n    tty: true\n")
    assert terminal_args(services, []) == (
        ["-i", "-t"], "both images ran with -i -t, as docker-compose.yml service frontend runs this image "
                      "(stdin_open: true, tty: true)")


def test_nothing_when_the_user_chose_or_compose_says_nothing(tmp_path):
    services = _services(tmp_path, "services:\n  web:\n    build: .\n    stdin_open: true\n")
    assert terminal_args(services, ["-e", "A=1", "-i"]) == ([], "")
    assert terminal_args(services, ["--tty=false"]) == ([], "")
    # a service built from another folder, or one that keeps its input closed
    other = _services(tmp_path, "services:\n  web:\n    build: ./api\n    stdin_open: true\n"
                                "  app:\n    build: .\n    stdin_open: false\n")
    assert terminal_args(other, []) == ([], "")
