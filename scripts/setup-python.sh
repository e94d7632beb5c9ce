#!/usr/bin/env bash
# A Python virtualenv at .tools/venv with Scrapy and crawlab-sdk 0.7.0 from PyPI, for the
# results e2e suite (a real Scrapy project using CrawlabPipeline), and scrapyd-client 2.0 plus
# python-scrapyd-api for the Scrapyd-compatible API suites. Idempotent: quick when the venv
# already has them at the wanted versions.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.tools/venv"
want_sdk="0.7.0"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" - "$want_sdk" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
import scrapy  # noqa: F401
ok = version("crawlab-sdk") == sys.argv[1] and version("scrapyd-client").startswith("2.0")
version("python-scrapyd-api")
sys.exit(0 if ok else 1)
PY
then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check scrapy "crawlab-sdk==$want_sdk" "scrapyd-client==2.0.*" python-scrapyd-api
"$venv/bin/python" -c "import scrapy, crawlab, scrapyd_client, scrapyd_api; print('python venv: scrapy', scrapy.__version__, '+ crawlab-sdk $want_sdk + scrapyd-client + python-scrapyd-api')"
