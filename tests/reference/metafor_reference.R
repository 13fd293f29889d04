# Reference values from metafor for evidence_lib.meta / effect_sizes / bias.
# Run:  Rscript tests/reference/metafor_reference.R   (from the repository root)
# Writes tests/reference/metafor_reference.json.  The Python test-suite only
# reads the JSON; R is not needed at test time.
#
# Every case records the exact R call as a string ("call") and the values
# (17 significant digits).  Tight optimiser settings are used where metafor's
# defaults would limit agreement:
#   rma(..., control = list(threshold = 1e-12, tol = 1e-12))
#     threshold: Fisher scoring (REML/ML) convergence; tol: uniroot() for PM
#   confint(..., control = list(tol = 1e-12))   # Q-profile uniroot tolerance
suppressPackageStartupMessages(library(metafor))

## ---------------------------------------------------------------- JSON writer
num <- function(x) {
  if (is.na(x) && !is.nan(x)) return("null")
  if (is.nan(x)) return("NaN")
  if (is.infinite(x)) return(if (x > 0) "Infinity" else "-Infinity")
  sprintf("%.17g", x)
}
esc <- function(s) paste0("\"", gsub("\"", "\\\\\"", gsub("\\\\", "\\\\\\\\", s)), "\"")
to_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    nm <- names(x)
    if (!is.null(nm)) {
      parts <- mapply(function(n, v) paste0(esc(n), ":", to_json(v)), nm, x)
      return(paste0("{", paste(parts, collapse = ","), "}"))
    }
    return(paste0("[", paste(vapply(x, to_json, ""), collapse = ","), "]"))
  }
  if (is.factor(x)) x <- as.character(x)
  if (is.character(x)) {
    s <- vapply(x, function(v) if (is.na(v)) "null" else esc(v), "")
  } else if (is.logical(x)) {
    s <- vapply(x, function(v) if (is.na(v)) "null" else if (v) "true" else "false", "")
  } else {
    s <- vapply(as.numeric(x), num, "")
  }
  if (length(x) == 1 && is.null(attr(x, "as_array"))) return(unname(s))
  paste0("[", paste(s, collapse = ","), "]")
}
arr <- function(x) { if (is.null(x)) return(NULL); x <- as.vector(x); attr(x, "as_array") <- TRUE; x }

cases <- list()
add_case <- function(name, call, values, input = NULL, kind = NULL) {
  cases[[name]] <<- list(kind = kind, call = call, input = input, values = values)
}
ctrl <- "control=list(threshold=1e-12, tol=1e-12)"
CTRL <- list(threshold = 1e-12, tol = 1e-12)

rma_values <- function(res, with_ci = TRUE) {
  v <- list(estimate = c(res$beta)[1], se = res$se[1], zval = res$zval[1],
            pval = res$pval[1], ci_lb = res$ci.lb[1], ci_ub = res$ci.ub[1],
            tau2 = res$tau2, se_tau2 = res$se.tau2, I2 = res$I2, H2 = res$H2,
            QE = res$QE, QEp = res$QEp, k = res$k,
            weights = arr(weights(res)))
  p <- predict(res)
  v$pi_lb <- p$pi.lb; v$pi_ub <- p$pi.ub
  if (res$k >= 3 && !(res$method %in% c("FE", "EE", "CE"))) {
    pr <- predict(res, pi.type = "riley")
    v$pi_lb_riley <- pr$pi.lb; v$pi_ub_riley <- pr$pi.ub
  }
  if (with_ci && !(res$method %in% c("FE", "EE", "CE")) && res$k >= 2) {
    ci <- confint(res, control = list(tol = 1e-12))
    v$tau2_ci_lb <- ci$random["tau^2", "ci.lb"]; v$tau2_ci_ub <- ci$random["tau^2", "ci.ub"]
  }
  v
}

fit_all <- function(prefix, yi, vi, methods = c("FE", "DL", "REML", "PM", "ML"),
                    tests = c("z", "knha")) {
  for (m in methods) for (t in tests) {
    call <- sprintf("rma(yi, vi, method=\"%s\", test=\"%s\", %s)", m, t, ctrl)
    res <- suppressWarnings(rma(yi, vi, method = m, test = t, control = CTRL))
    add_case(sprintf("%s_%s_%s", prefix, m, t), paste0(call, "; predict(res); predict(res, pi.type=\"riley\"); confint(res, control=list(tol=1e-12))"),
             rma_values(res), input = list(yi = arr(yi), vi = arr(vi)), kind = "rma")
  }
}

## ---------------------------------------------------------------- data sets
bcg <- dat.bcg
norm <- dat.normand1999
datasets <- list(
  bcg = list(tpos = arr(bcg$tpos), tneg = arr(bcg$tneg), cpos = arr(bcg$cpos), cneg = arr(bcg$cneg),
             ablat = arr(bcg$ablat), alloc = arr(as.character(bcg$alloc)), author = arr(bcg$author), year = arr(bcg$year)),
  normand1999 = list(n1i = arr(norm$n1i), m1i = arr(norm$m1i), sd1i = arr(norm$sd1i),
                     n2i = arr(norm$n2i), m2i = arr(norm$m2i), sd2i = arr(norm$sd2i), source = arr(norm$source))
)

## ---------------------------------------------------------------- escalc
for (ms in c("RR", "OR", "RD")) {
  es <- escalc(measure = ms, ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
  add_case(paste0("escalc_bcg_", ms), sprintf("escalc(measure=\"%s\", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)", ms),
           list(yi = arr(es$yi), vi = arr(es$vi)), input = list(dataset = "bcg"), kind = "escalc")
}
for (ms in c("SMD", "MD")) {
  es <- escalc(measure = ms, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = norm)
  add_case(paste0("escalc_normand_", ms), sprintf("escalc(measure=\"%s\", m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i, data=dat.normand1999)", ms),
           list(yi = arr(es$yi), vi = arr(es$vi)), input = list(dataset = "normand1999"), kind = "escalc")
}
zc <- data.frame(ai = c(0, 5, 3, 10), bi = c(20, 15, 17, 0), ci = c(4, 0, 6, 8), di = c(16, 20, 14, 12))
for (ms in c("RR", "OR", "RD")) for (to in c("only0", "all")) {
  es <- escalc(measure = ms, ai = ai, bi = bi, ci = ci, di = di, data = zc, add = 0.5, to = to)
  add_case(sprintf("escalc_zero_%s_%s", ms, to), sprintf("escalc(measure=\"%s\", ai=ai, bi=bi, ci=ci, di=di, data=zc, add=0.5, to=\"%s\")", ms, to),
           list(yi = arr(es$yi), vi = arr(es$vi)), input = list(ai = arr(zc$ai), bi = arr(zc$bi), ci = arr(zc$ci), di = arr(zc$di), add = 0.5, to = to), kind = "escalc_zero")
}
es <- escalc(measure = "RD", ai = ai, bi = bi, ci = ci, di = di, data = zc, add = 0)
add_case("escalc_zero_RD_noadd", "escalc(measure=\"RD\", ai=ai, bi=bi, ci=ci, di=di, data=zc, add=0)",
         list(yi = arr(es$yi), vi = arr(es$vi)), input = list(ai = arr(zc$ai), bi = arr(zc$bi), ci = arr(zc$ci), di = arr(zc$di), add = 0, to = "none"), kind = "escalc_zero")

bcg_rr <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
norm_smd <- escalc(measure = "SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = norm)
norm_md <- escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = norm)

## ---------------------------------------------------------------- rma, all methods x tests
fit_all("bcg", bcg_rr$yi, bcg_rr$vi)
fit_all("normand_smd", norm_smd$yi, norm_smd$vi)
fit_all("normand_md", norm_md$yi, norm_md$vi, methods = c("DL", "REML"))
# HKSJ with truncation of the scale factor at 1 (metafor test="adhoc")
for (m in c("DL", "REML")) {
  res <- rma(bcg_rr$yi, bcg_rr$vi, method = m, test = "adhoc", control = CTRL)
  add_case(paste0("bcg_", m, "_adhoc"), sprintf("rma(yi, vi, method=\"%s\", test=\"adhoc\", %s)", m, ctrl),
           rma_values(res, with_ci = FALSE), input = list(yi = arr(bcg_rr$yi), vi = arr(bcg_rr$vi)), kind = "rma_adhoc")
}
# other confidence level (level = 90)
for (m in c("DL", "REML")) for (t in c("z", "knha")) {
  res <- rma(bcg_rr$yi, bcg_rr$vi, method = m, test = t, level = 90, control = CTRL)
  add_case(sprintf("level90_bcg_%s_%s", m, t), sprintf("rma(yi, vi, method=\"%s\", test=\"%s\", level=90, %s); predict(res); confint(res, control=list(tol=1e-12))", m, t, ctrl),
           rma_values(res), input = list(yi = arr(bcg_rr$yi), vi = arr(bcg_rr$vi), level = 0.90), kind = "rma_level")
}
# homogeneous subset where Q < k-1 (tau2 = 0 for all estimators)
hom_y <- c(0.10, 0.12, 0.08, 0.11, 0.09); hom_v <- c(0.01, 0.02, 0.015, 0.03, 0.012)
fit_all("homog", hom_y, hom_v)

## ---------------------------------------------------------------- edge cases
fit_all("k1", c(0.5), c(0.1), tests = "z")
fit_all("k2", c(0.2, 0.9), c(0.04, 0.09))
fit_all("identical", rep(0.3, 4), rep(0.05, 4))
ext_y <- c(0.1, -0.4, 1.2, 0.05, 3.0, -2.0); ext_v <- c(1e-8, 1e-4, 1e-2, 1, 1e2, 1e4)
fit_all("extreme", ext_y, ext_v)

## ---------------------------------------------------------------- leave-one-out and cumulative
for (m in c("REML", "DL", "FE")) for (t in c("z", "knha")) {
  res <- suppressWarnings(rma(bcg_rr$yi, bcg_rr$vi, method = m, test = t, control = CTRL))
  l1 <- suppressWarnings(leave1out(res))
  add_case(sprintf("loo_bcg_%s_%s", m, t), sprintf("leave1out(rma(yi, vi, method=\"%s\", test=\"%s\", %s))", m, t, ctrl),
           list(estimate = arr(l1$estimate), se = arr(l1$se), zval = arr(if (!is.null(l1$zval)) l1$zval else l1$tval), pval = arr(l1$pval),
                ci_lb = arr(l1$ci.lb), ci_ub = arr(l1$ci.ub), Q = arr(l1$Q), Qp = arr(l1$Qp),
                tau2 = arr(l1$tau2), I2 = arr(l1$I2), H2 = arr(l1$H2)),
           input = list(yi = arr(bcg_rr$yi), vi = arr(bcg_rr$vi)), kind = "loo")
  cu <- suppressWarnings(cumul(res))
  add_case(sprintf("cumul_bcg_%s_%s", m, t), sprintf("cumul(rma(yi, vi, method=\"%s\", test=\"%s\", %s))", m, t, ctrl),
           list(estimate = arr(cu$estimate), se = arr(cu$se), zval = arr(if (!is.null(cu$zval)) cu$zval else cu$tval), pval = arr(cu$pval),
                ci_lb = arr(cu$ci.lb), ci_ub = arr(cu$ci.ub), Q = arr(cu$Q), Qp = arr(cu$Qp),
                tau2 = arr(cu$tau2), I2 = arr(cu$I2), H2 = arr(cu$H2)),
           input = list(yi = arr(bcg_rr$yi), vi = arr(bcg_rr$vi)), kind = "cumul")
}

## ---------------------------------------------------------------- meta-regression (ablat)
reg_values <- function(res) {
  list(beta = arr(res$beta), se = arr(res$se), zval = arr(res$zval), pval = arr(res$pval),
       ci_lb = arr(res$ci.lb), ci_ub = arr(res$ci.ub), QM = res$QM, QMp = res$QMp, QMdf = arr(res$QMdf),
       QE = res$QE, QEp = res$QEp, tau2 = res$tau2, se_tau2 = res$se.tau2,
       R2 = if (is.null(res$R2)) NA else res$R2, I2 = res$I2, H2 = res$H2, k = res$k, p = res$p)
}
for (m in c("FE", "DL", "REML", "PM", "ML")) for (t in c("z", "knha")) {
  res <- suppressWarnings(rma(bcg_rr$yi, bcg_rr$vi, mods = ~ ablat, data = bcg, method = m, test = t, control = CTRL))
  add_case(sprintf("reg_bcg_ablat_%s_%s", m, t), sprintf("rma(yi, vi, mods=~ablat, data=dat.bcg, method=\"%s\", test=\"%s\", %s)", m, t, ctrl),
           reg_values(res), input = list(yi = arr(bcg_rr$yi), vi = arr(bcg_rr$vi), X = list(intrcpt = arr(rep(1, 13)), ablat = arr(bcg$ablat))), kind = "regression")
}
res <- rma(bcg_rr$yi, bcg_rr$vi, mods = ~ ablat + year, data = bcg, method = "REML", control = CTRL)
add_case("reg_bcg_ablat_year_REML_z", sprintf("rma(yi, vi, mods=~ablat+year, data=dat.bcg, method=\"REML\", %s)", ctrl),
         reg_values(res), input = list(yi = arr(bcg_rr$yi), vi = arr(bcg_rr$vi), X = list(intrcpt = arr(rep(1, 13)), ablat = arr(bcg$ablat), year = arr(bcg$year))), kind = "regression")

## ---------------------------------------------------------------- subgroups (alloc)
for (m in c("REML", "DL", "FE")) {
  res <- rma(bcg_rr$yi, bcg_rr$vi, mods = ~ factor(alloc), data = bcg, method = m, control = CTRL)
  lev <- sort(unique(as.character(bcg$alloc)))
  sep <- lapply(lev, function(g) rma(bcg_rr$yi, bcg_rr$vi, subset = bcg$alloc == g, method = m, control = CTRL))
  est <- sapply(sep, function(r) c(r$beta)); sei <- sapply(sep, function(r) r$se)
  qb <- rma(est, sei = sei, method = "FE")
  add_case(sprintf("subgroup_bcg_alloc_%s", m),
           sprintf("rma(yi, vi, mods=~factor(alloc), data=dat.bcg, method=\"%s\", %s); per group: rma(yi, vi, subset=alloc==g, method=\"%s\", %s); Q-between: rma(est, sei=sei, method=\"FE\")$QE", m, ctrl, m, ctrl),
           list(QM = res$QM, QMp = res$QMp, QMdf = res$QMdf[1], tau2_mods = res$tau2, groups = arr(lev),
                group_estimate = arr(est), group_se = arr(sei), group_tau2 = arr(sapply(sep, function(r) r$tau2)),
                group_k = arr(sapply(sep, function(r) r$k)), Qb = qb$QE, Qb_p = qb$QEp),
           input = list(yi = arr(bcg_rr$yi), vi = arr(bcg_rr$vi), groups = arr(as.character(bcg$alloc))), kind = "subgroups")
}

## ---------------------------------------------------------------- rma.mh
for (ms in c("OR", "RR", "RD")) {
  res <- rma.mh(measure = ms, ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
  add_case(paste0("mh_bcg_", ms), sprintf("rma.mh(measure=\"%s\", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)", ms),
           list(estimate = c(res$beta), se = res$se, zval = res$zval, pval = res$pval, ci_lb = res$ci.lb, ci_ub = res$ci.ub,
                QE = res$QE, QEp = res$QEp, I2 = res$I2, H2 = res$H2, k = res$k),
           input = list(dataset = "bcg"), kind = "mh")
}

## ---------------------------------------------------------------- small-study bias
for (m in c("REML", "FE", "DL")) {
  res <- rma(bcg_rr$yi, bcg_rr$vi, method = m, control = CTRL)
  rt <- regtest(res)
  add_case(paste0("regtest_bcg_rma_", m), sprintf("regtest(rma(yi, vi, method=\"%s\", %s))", m, ctrl),
           list(zval = rt$zval, pval = rt$pval, dfs = if (is.null(rt$ddf)) NA else rt$ddf, est = rt$est, ci_lb = rt$ci.lb, ci_ub = rt$ci.ub,
                slope = c(rt$fit$beta)[2], slope_se = rt$fit$se[2], intercept = c(rt$fit$beta)[1]),
           input = list(yi = arr(bcg_rr$yi), vi = arr(bcg_rr$vi)), kind = "regtest")
}
res <- rma(bcg_rr$yi, bcg_rr$vi, method = "REML", control = CTRL)
rt <- regtest(res, model = "lm")
add_case("regtest_bcg_lm", sprintf("regtest(rma(yi, vi, method=\"REML\", %s), model=\"lm\")", ctrl),
         list(zval = rt$zval, pval = rt$pval, dfs = rt$dfs, est = rt$est, ci_lb = rt$ci.lb, ci_ub = rt$ci.ub,
              slope = coef(rt$fit)[2], intercept = coef(rt$fit)[1]),
         input = list(yi = arr(bcg_rr$yi), vi = arr(bcg_rr$vi)), kind = "regtest_lm")
res <- rma(norm_smd$yi, norm_smd$vi, method = "REML", control = CTRL)
rt <- regtest(res, model = "lm")
add_case("regtest_normand_lm", sprintf("regtest(rma(yi, vi, method=\"REML\", %s), model=\"lm\")  # normand SMD", ctrl),
         list(zval = rt$zval, pval = rt$pval, dfs = rt$dfs, est = rt$est, ci_lb = rt$ci.lb, ci_ub = rt$ci.ub,
              slope = coef(rt$fit)[2], intercept = coef(rt$fit)[1]),
         input = list(yi = arr(norm_smd$yi), vi = arr(norm_smd$vi)), kind = "regtest_lm")

tf_values <- function(tf) {
  list(k0 = tf$k0, side = tf$side, estimate = c(tf$beta), se = tf$se, ci_lb = tf$ci.lb, ci_ub = tf$ci.ub, tau2 = tf$tau2,
       yi = arr(tf$yi), vi = arr(tf$vi), fill = arr(tf$fill))
}
tfin <- list(bcg = bcg_rr, normand_smd = norm_smd)
# an asymmetric set that needs filling on the left
asy_y <- c(0.05, 0.12, 0.30, 0.45, 0.60, 0.80, 1.10, 0.25, 0.70, 0.95)
asy_v <- c(0.005, 0.01, 0.03, 0.05, 0.08, 0.12, 0.20, 0.02, 0.10, 0.15)
tfin$asym <- list(yi = asy_y, vi = asy_v)
for (nm in names(tfin)) for (m in c("FE", "REML", "DL")) {
  d <- tfin[[nm]]
  res <- rma(d$yi, d$vi, method = m, control = CTRL)
  tf <- trimfill(res, control = CTRL)
  add_case(sprintf("trimfill_%s_%s", nm, m), sprintf("trimfill(rma(yi, vi, method=\"%s\", %s), %s)", m, ctrl, ctrl),
           tf_values(tf), input = list(yi = arr(d$yi), vi = arr(d$vi)), kind = "trimfill")
}
for (m in c("FE", "REML")) {
  res <- rma(asy_y, asy_v, method = m, control = CTRL)
  tf <- trimfill(res, estimator = "R0", control = CTRL)
  add_case(sprintf("trimfillR0_asym_%s", m), sprintf("trimfill(rma(yi, vi, method=\"%s\", %s), estimator=\"R0\", %s)", m, ctrl, ctrl),
           tf_values(tf), input = list(yi = arr(asy_y), vi = arr(asy_v), estimator = "R0"), kind = "trimfill")
}
res <- rma(bcg_rr$yi, bcg_rr$vi, method = "REML", test = "knha", control = CTRL)
rt <- regtest(res)
add_case("regtest_bcg_rma_knha_REML", sprintf("regtest(rma(yi, vi, method=\"REML\", test=\"knha\", %s))", ctrl),
         list(zval = rt$zval, pval = rt$pval, dfs = rt$dfs, est = rt$est, ci_lb = rt$ci.lb, ci_ub = rt$ci.ub,
              slope = c(rt$fit$beta)[2], slope_se = rt$fit$se[2], intercept = c(rt$fit$beta)[1]),
         input = list(yi = arr(bcg_rr$yi), vi = arr(bcg_rr$vi), test = "knha"), kind = "regtest")
res <- rma(asy_y, asy_v, method = "FE")
tf <- trimfill(res, side = "right")
add_case("trimfill_asym_FE_right", "trimfill(rma(yi, vi, method=\"FE\"), side=\"right\")",
         tf_values(tf), input = list(yi = arr(asy_y), vi = arr(asy_v), side = "right"), kind = "trimfill")

## ---------------------------------------------------------------- GOSH (first 10 bcg studies)
for (m in c("DL", "FE")) {
  res <- rma(bcg_rr$yi[1:10], bcg_rr$vi[1:10], method = m)
  g <- gosh(res, progbar = FALSE)
  mask <- as.vector(g$incl %*% 2^(0:9))
  add_case(paste0("gosh_bcg10_", m), sprintf("gosh(rma(yi[1:10], vi[1:10], method=\"%s\"), progbar=FALSE)", m),
           list(mask = arr(mask), estimate = arr(g$res$estimate), tau2 = arr(g$res$tau2), QE = arr(g$res$QE),
                I2 = arr(g$res$I2), H2 = arr(g$res$H2)),
           input = list(yi = arr(bcg_rr$yi[1:10]), vi = arr(bcg_rr$vi[1:10])), kind = "gosh")
}

out <- list(r_version = R.version.string, metafor_version = as.character(packageVersion("metafor")),
            generated = format(Sys.time(), "%Y-%m-%d"), datasets = datasets, cases = cases)
writeLines(to_json(out), "tests/reference/metafor_reference.json")
cat("wrote", length(cases), "cases\n")
