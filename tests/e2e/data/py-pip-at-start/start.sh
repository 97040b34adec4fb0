#!/bin/sh
# make sure every dependency is there before the server starts (a deploy may have changed them)
set -e
python -m pip install --no-cache-dir --disable-pip-version-check -r requirements.txt
exec python labels.py
