# Sourced by scripts/run and scripts/test: make .venv and install the project into it when
# pyproject.toml changed since the last install.
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
    rm -f .venv/.installed-*
    touch "$stamp"
fi
