"""Regenerate docs/images/score_sheet.png: a filled expert score sheet as LibreOffice prints it (run from the root).

Checks the acceptance point "the generated XLSX opens in LibreOffice headless without repair": the sample
province's key-evaluation sheets are written by ``pe.panel.sheets.write_sheets`` (filled with expert E01's ratings
from ``panel.csv``), converted to PDF by ``soffice --headless --convert-to pdf`` (which exits non-zero or writes no
PDF on a file it cannot open), and the first page is rasterised by ``pdftoppm`` (poppler-utils) into the PNG.

Needs LibreOffice Calc (Debian: ``apt-get install libreoffice-calc-nogui``), poppler-utils and a CJK font
(fonts-noto-cjk). Not a test dependency: run it by hand after changing the sheet layout, and look at the PNG.
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import perfeval as pe
from perfeval.panel import sheets

OUT = Path("docs/images/score_sheet.png")

for tool in ("soffice", "pdftoppm"):
    if shutil.which(tool) is None:
        sys.exit(f"{tool} not found: install libreoffice-calc-nogui and poppler-utils")

data = pe.load_sample()
key = data.units[data.units["category"].str.contains("key", na=False)].head(1)
with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    [xlsx] = sheets.write_sheets("project_key", key, {"E01": "专家E01"}, tmp / "sheets", scores=data.panel)
    profile = (tmp / "lo-profile").as_uri()  # a private profile: no interference with a running LibreOffice
    run = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                          "--outdir", str(tmp), str(xlsx)], capture_output=True, text=True, timeout=180)
    pdf = tmp / "E01.pdf"
    if run.returncode != 0 or not pdf.is_file():
        sys.exit(f"LibreOffice could not convert {xlsx.name}:\n{run.stdout}\n{run.stderr}")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(tmp / "page")], check=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp / "page.png", OUT)
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
print(f"{xlsx.name} converted by LibreOffice; {OUT} written")
print(next((line for line in pages.splitlines() if line.startswith("Pages")), ""))
