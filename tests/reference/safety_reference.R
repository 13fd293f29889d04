# Exact (Clopper-Pearson) 95% intervals for adverse-event counts in data/adverse_events.csv,
# the reference for tests/output/test_safety_kinds.py.
# Run:  Rscript tests/reference/safety_reference.R   (from the repository root)
# Writes tests/reference/safety_reference.json; the test-suite only reads the JSON.
cases <- list(
  list(ae_id = "macpherson2004-serious", x = 3, n = 6348),
  list(ae_id = "haake2007-sae-conv", x = 16, n = 388)
)
num <- function(x) sprintf("%.17g", x)
out <- vapply(cases, function(c) {
  call <- sprintf("binom.test(%d, %d)$conf.int", c$x, c$n)
  ci <- eval(parse(text = call))
  sprintf('"%s": {"call": "%s", "events": %d, "denominator": %d, "ci_low": %s, "ci_high": %s}',
          c$ae_id, call, c$x, c$n, num(ci[1]), num(ci[2]))
}, "")
writeLines(paste0("{\n  ", paste(out, collapse = ",\n  "), ",\n  \"R\": \"", R.version.string, "\"\n}"),
           "tests/reference/safety_reference.json")
