"""Regenerate the README's pictures of a report (run from the repository root; needs Debian's chromium and
poppler-utils, which `make sysdeps` installs):

- docs/images/report.png: the first screen of the sample key-evaluation report's HTML page, as headless
  Chromium shows it;
- docs/images/report_pdf.png: the first two pages of the same report's PDF (pdftoppm), side by side.
"""
import subprocess
import tempfile
from pathlib import Path

import perfeval as pe

OUT = Path("docs/images")
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]

with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    result = pe.reports.render("key_evaluation", out_dir=tmp, formats=("html", "pdf"))
    subprocess.run([*CHROMIUM, f"--user-data-dir={tmp / 'profile'}", "--window-size=1000,1500",
                    f"--screenshot={OUT / 'report.png'}", result.paths["html"].as_uri()],
                   check=True, capture_output=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(result.paths["pdf"]),
                    str(tmp / "page")], check=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt

    pages = [mpimg.imread(p) for p in sorted(tmp.glob("page-*.png"))]
    fig, axes = plt.subplots(1, len(pages), figsize=(5.2 * len(pages), 7.2))
    for ax, page in zip(axes, pages):
        ax.imshow(page)
        ax.set_axis_off()
    fig.tight_layout(pad=0.4)
    fig.savefig(OUT / "report_pdf.png", dpi=100, metadata={"Software": None})
print("wrote", OUT / "report.png", OUT / "report_pdf.png")
