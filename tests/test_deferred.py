"""core/deferred.py: a deferred module costs nothing until used, then is the plain module."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys, threading
from generator.core.deferred import defer
assert "urllib.request" not in sys.modules
defer("urllib.request")
import urllib.request                      # an import statement finds it: nothing runs
import xml.sax.saxutils                    # nor when a library imports it (this one does)
before = "http.client" in sys.modules
from urllib.request import Request         # the first read runs it
found = []
threads = [threading.Thread(target=lambda: found.append(urllib.request.urlopen)) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
try:
    urllib.request.no_such_name
    missing = False
except AttributeError:
    missing = True
print(json.dumps([before, "http.client" in sys.modules, Request.__module__, len(set(found)),
                  type(urllib.request).__name__, xml.sax.saxutils.urllib.request is urllib.request,
                  missing]))
"""


def test_a_deferred_module_runs_on_first_use_and_is_then_the_plain_module():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True
    )
    before, after, module, urlopens, kind, same, missing = json.loads(done.stdout)
    assert (before, after) == (False, True)  # urllib.request imports http.client when it runs
    assert (module, urlopens, kind, same, missing) == ("urllib.request", 1, "module", True, True)


def test_a_module_already_imported_is_left_alone():
    script = (
        "import sys, urllib.request\n"
        "from generator.core.deferred import defer\n"
        "defer('urllib.request')\n"
        "print(type(sys.modules['urllib.request']).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "module"
