# Sourced by scripts/run, scripts/test and scripts/lock: make .venv and install into it exactly
# what requirements.lock pins (hashes checked), then the project itself, whenever a lock or
# pyproject.toml changed since the last install.
#
# The installer is locked too. `python -m venv` seeds whatever pip the interpreter bundles (23.2
# with Python 3.11.7), and an old pip resolves some locks differently: it read pytest-cov's
# `coverage[toml]>=…` as a new requirement and took the newest coverage from the index, outside
# the lock, so a later upstream release could break the install. So the bundled pip only ever
# installs requirements-bootstrap.lock (pip itself, pinned and hashed, no dependencies), and that
# pip installs the lock.
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml requirements-bootstrap.lock requirements.lock | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
    pip_install=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
    "${pip_install[@]}" --require-hashes --no-deps -r requirements-bootstrap.lock
    "${pip_install[@]}" --require-hashes -r requirements.lock
    # The project's own code is not on an index, so it has no hash; its dependencies and its
    # build backend came from the lock just above.
    "${pip_install[@]}" --no-deps --no-build-isolation -e .
    if [ -z "${allow_stale_lock:-}" ] && ! .venv/bin/python -m pip check --disable-pip-version-check >/dev/null; then
        .venv/bin/python -m pip check --disable-pip-version-check >&2
        echo "requirements.lock does not satisfy pyproject.toml: run scripts/lock and commit both" >&2
        exit 1
    fi
    rm -f .venv/.installed-*
    touch "$stamp"
fi
