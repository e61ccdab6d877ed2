"""Installed, not cloned: the wheel carries the default theme, and `briefings init` + `briefings build` work
from an empty folder with no checkout in sight. The Dockerfile builds a mounted site (when a container
engine is running)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


def run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 120
) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{command}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_the_wheel_installed_elsewhere_inits_and_builds_a_site(tmp_path):
    wheels = tmp_path / "wheels"
    run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)],
        tmp_path,
        timeout=300,
    )
    (wheel,) = wheels.glob("briefings-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in (
        "generator/_theme/templates/base.html",
        "generator/_theme/static/style.css",
        "generator/_theme/data/countries-110m.json",
        "generator/_theme/fonts/DejaVuSans-Bold.ttf",
        "generator/_theme/fonts/LICENSE.txt",
        "generator/data/actors.yaml",
    ):
        assert shipped in names, shipped
    # A fresh environment with the wheel alone; its dependencies are borrowed from this test's
    # environment through a .pth line (site-packages added that way run none of their own .pth files,
    # so this checkout's editable install stays out of sight).
    # Run without the caller's PYTHONPATH from here on: pip would take a checkout on it (with the
    # briefings.egg-info `pip wheel` leaves there) for the package installed, and install nothing.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path, env)
    python = venv / "bin" / "python"
    run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        tmp_path,
        env,
    )
    purelib = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        tmp_path,
        env,
    )
    Path(purelib.strip(), "borrowed-deps.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    where = tmp_path / "elsewhere"
    where.mkdir()
    found = run([str(python), "-c", "import generator; print(generator.__file__)"], where, env)
    assert Path(found.strip()).is_relative_to(venv), found
    briefings = str(venv / "bin" / "briefings")
    run([briefings, "init", "mysite", "--title", "Elsewhere Desk"], where, env)
    site = where / "mysite"
    assert (site / "site.yaml").is_file() and (site / "seeds").is_dir()
    run([briefings, "build"], site, env)
    output = site / "output"
    page = (output / "briefings/welcome-to-your-briefings-site/index.html").read_text(
        encoding="utf-8"
    )
    assert "Welcome to Your Briefings Site" in page and "Elsewhere Desk" in page
    assert any(p.name.startswith("style.") for p in (output / "static").iterdir())
    assert (output / "briefings/welcome-to-your-briefings-site/preview.png").is_file()
    assert (output / "countries/france/index.html").is_file()
    # init refuses to write over a site
    done = subprocess.run(
        [briefings, "init", "mysite"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "holds a site already" in done.stderr


def container_engine() -> str | None:
    for tool in ("docker", "podman"):
        path = shutil.which(tool)
        if (
            path
            and subprocess.run([path, "info"], capture_output=True, check=False).returncode == 0
        ):
            return path
    return None


@pytest.mark.slow
def test_dockerfile_builds_a_mounted_site(tmp_path):
    engine = container_engine()
    if engine is None:
        pytest.skip("no running container engine (docker or podman)")
    run([engine, "build", "-q", "-t", "briefings-test", str(ROOT)], ROOT, timeout=900)
    site = tmp_path / "site"
    run(
        [engine, "run", "--rm", "-v", f"{tmp_path}:/work", "briefings-test", "init", "/work/site"],
        tmp_path,
    )
    run(
        [engine, "run", "--rm", "-v", f"{site}:/site", "briefings-test", "build"],
        tmp_path,
        timeout=300,
    )
    assert (site / "output/index.html").is_file()
