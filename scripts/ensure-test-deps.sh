#!/usr/bin/env bash
# System pieces the test suite uses beyond the Python packages:
#  - Debian's Chromium for the browser tests (driven by Playwright; no browser download);
#  - pango for WeasyPrint (the `pdf` extra, installed by the Makefile) behind `marketpower report --pdf`;
#  - poppler-utils (pdftoppm, pdftotext, pdfinfo) for the PDF test, which rasterises the report's pages;
#  - a Java 17 runtime for PySpark (the `spark` extra) behind `--engine spark` and the tests in tests/engines.
# Installs them when missing and we are allowed to (root with apt; Debian ships both for amd64 and arm64);
# otherwise, or when apt fails, those tests skip with a reason. It never fails the test run itself.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# ldconfig lives in /sbin, which a non-root PATH may lack
{ ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libpangoft2-1.0.so' \
  || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
{ command -v java >/dev/null 2>&1 || [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ]; } || missing+=(openjdk-17-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} for the browser, PDF and Spark tests..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
      || echo "warning: could not install ${missing[*]}; browser/PDF/Spark tests will be skipped"
  else
    echo "note: ${missing[*]} not found and cannot be installed here; browser/PDF/Spark tests will be skipped"
  fi
fi
exit 0
