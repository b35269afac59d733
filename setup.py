"""The wheel carries everything the server serves and runs, so it works outside
a checkout: the PWA (with the npm files it vendors) and the migrations go into
nattlys/bundle/ as package data. Everything else is in pyproject.toml."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PWA_FILES = ("index.html", "manifest.webmanifest", "sw.js")


class BuildWithBundle(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads pwa/ and migrations/ in the checkout
        bundle = Path(self.build_lib) / "nattlys" / "bundle"
        shutil.rmtree(bundle, ignore_errors=True)
        pwa = bundle / "pwa"
        pwa.mkdir(parents=True)
        for name in PWA_FILES:
            shutil.copy2(ROOT / "pwa" / name, pwa / name)
        shutil.copytree(ROOT / "pwa" / "app", pwa / "app")
        vendor = runpy.run_path(str(ROOT / "nattlys" / "web" / "vendor.py"))["VENDOR_FILES"]
        for relative in vendor.values():
            source = ROOT / "pwa" / "node_modules" / relative
            if not source.is_file():
                raise SystemExit(
                    f"{source} is missing: run `make setup` (npm ci in pwa/) before building the wheel"
                )
            (pwa / "node_modules" / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, pwa / "node_modules" / relative)
        shutil.copytree(
            ROOT / "migrations", bundle / "migrations", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )


setup(cmdclass={"build_py": BuildWithBundle})
