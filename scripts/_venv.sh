# Sourced by scripts/run, scripts/test and scripts/lock: make .venv and install into it exactly
# what requirements.lock pins (hashes checked), then the project itself, whenever the lock or
# pyproject.toml changed since the last install.
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
    # The project's own code is not on an index, so it has no hash; its dependencies and its
    # build backend came from the lock just above.
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
    if [ -z "${allow_stale_lock:-}" ] && ! .venv/bin/python -m pip check --disable-pip-version-check >/dev/null; then
        .venv/bin/python -m pip check --disable-pip-version-check >&2
        echo "requirements.lock does not satisfy pyproject.toml: run scripts/lock and commit both" >&2
        exit 1
    fi
    rm -f .venv/.installed-*
    touch "$stamp"
fi
