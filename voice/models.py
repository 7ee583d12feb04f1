"""Install a Vosk model into <data>/models from a local archive or a URL, SHA-256 checked."""

from __future__ import annotations

import hashlib
import logging
import shutil
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

log = logging.getLogger(__name__)

KNOWN_MODELS = {
    "vosk-model-small-cn-0.22": "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip",
}
"""Well-known model names; the SHA-256 must still be given (pin it in the deploy config)."""


class ModelInstallError(RuntimeError):
    pass


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _is_model(d: Path) -> bool:
    return (d / "am").is_dir() or (d / "conf").is_dir()


SUM_FILE = ".archive-sha256"
"""Written into an installed model: the SHA-256 of the archive it came from."""


def installed(data_dir: Path, sha256: str) -> Path | None:
    """The model already installed from the archive with this SHA-256, if any."""
    models = Path(data_dir) / "models"
    if not sha256 or not models.is_dir():
        return None
    for d in sorted(models.iterdir()):
        f = d / SUM_FILE
        if f.is_file() and f.read_text().strip().lower() == sha256.lower() and _is_model(d):
            return d
    return None


def install_model(source: str, data_dir: Path, sha256: str) -> Path:
    """Fetch/copy ``source`` (zip or tar), check ``sha256``, unpack to <data>/models/<name>.
    Idempotent: an archive with this SHA-256 already installed is not fetched again."""
    if not sha256:
        raise ModelInstallError("the archive's SHA-256 is required (--sha256)")
    done = installed(data_dir, sha256)
    if done is not None:
        log.info("model %s already installed from this archive", done.name)
        return done
    source = KNOWN_MODELS.get(source, source)
    models = Path(data_dir) / "models"
    models.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models) as tmp:
        archive = Path(tmp) / Path(source.split("?")[0]).name
        if "://" in source:
            log.info("downloading %s", source)
            with urllib.request.urlopen(source, timeout=60) as r, open(archive, "wb") as f:  # noqa: S310
                shutil.copyfileobj(r, f)
        else:
            shutil.copyfile(source, archive)
        got = sha256_of(archive)
        if got.lower() != sha256.lower():
            raise ModelInstallError(f"SHA-256 mismatch: got {got}, want {sha256}")
        out = Path(tmp) / "x"
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                z.extractall(out)
        else:
            with tarfile.open(archive) as t:
                t.extractall(out, filter="data")
        candidates = [out, *[p for p in out.rglob("*") if p.is_dir()]]
        model = next((c for c in candidates if _is_model(c)), None)
        if model is None:
            raise ModelInstallError("the archive holds no Vosk model (no am/ or conf/)")
        name = model.name if model != out else archive.name.split(".")[0]
        dest = models / name
        if dest.exists():
            shutil.rmtree(dest)
        (model / SUM_FILE).write_text(got + "\n")
        shutil.move(str(model), dest)
    log.info("model installed in %s", dest)
    return dest
