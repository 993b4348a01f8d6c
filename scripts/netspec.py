"""The layers of any network file linregions reads, for the export scripts: JSON directly,
other formats (safetensors, torch.save, ONNX) through the linregions Python package
(`pip install ./python`) or, failing that, the `linregions convert` command."""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def load(path, arch=None):
    """The network JSON (input_dim, layers) of `path`, exact values as strings."""
    with open(path, "rb") as f:
        head = f.read(64).lstrip()
    if head.startswith(b"{"):
        return json.load(open(path))
    try:
        import linregions

        return json.loads(linregions.Network.from_file(path, arch=arch).json)
    except ImportError:
        pass
    exe = shutil.which("linregions") or os.path.join(os.path.dirname(__file__), "..", "target", "release", "linregions")
    if not os.path.exists(exe):
        sys.exit(f"{path}: not JSON; install the linregions Python package (pip install ./python) or build the CLI")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "net.json")
        cmd = [exe, "convert", path, "-o", out] + (["--arch", arch] if arch else [])
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(r.stderr.strip())
        return json.load(open(out))
