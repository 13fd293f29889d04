# Reference values from metafor's rma.mv for evidence_lib.meta.network (network meta-analysis).
# Run:  Rscript tests/reference/metafor_network.R   (from the repository root)
# Writes tests/reference/metafor_network.json.  The Python test-suite only reads the JSON.
#
# Datasets (shipped with metafor 3.8-1 through metadat):
#   dat.hasselblad1998  smoking cessation, events/total, 24 studies, 4 treatments, two 3-arm
#                       studies, two studies with a zero cell   -> OR, RR, RD
#   dat.senn2013        diabetes, HbA1c change mean/sd/n, 26 studies, 10 treatments,
#                       one 3-arm study (Willms 1999)            -> MD, SMD
#
# The model, built here independently of the Python code:
#   contrasts of each study's arms against its first arm (rows as the dataset orders them);
#   V block diagonal with the variance of the shared (first) arm off the diagonal;
#   OR / RR: 1/2 added to every cell of every arm of a study with a zero cell, then escalc(add=0);
#   SMD: one SD pooled over all arms of a study, Hedges' exact c(N - a), covariance
#        1/n_0 + g_j g_k / (2 N) (Gleser & Olkin 2009); equal to escalc("SMD") for two arms;
#   rma.mv(yi, V, mods = X, intercept = FALSE, random = ~ comp | study, rho = 1/2, method = ...)
#   with X the contrast matrix without the reference's column.
# Design-by-treatment: rma.mv(yi, V, mods = cbind(X, Z), intercept = FALSE, ...) where Z gives
#   every design its own parameters (effects of its treatments against its first one); metafor
#   drops the columns of Z that X already spans; QM with btt = the remaining Z columns.
#   Q_total = QE of the consistency fit with method "FE", Q_within = QE of the Z fit.
# Node-splitting: for each pair (a, b) with a study that
#   has both (a before b in alphabetical order), the column s = [arm is b] - [baseline is b] in those studies (0 elsewhere);
#   rma.mv(yi, V, mods = cbind(X, s), intercept = FALSE, ...) when s is not in the span of X.
# P-scores: from the rma.mv coefficients and their vcov with pnorm (Ruecker & Schwarzer 2015).
suppressPackageStartupMessages(library(metafor))

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
arr <- function(x) { x <- as.vector(x); attr(x, "as_array") <- TRUE; x }

CTRL <- list(rel.tol = 1e-10, eval.max = 10000, iter.max = 10000)
ctrl_txt <- "control = list(rel.tol = 1e-10, eval.max = 10000, iter.max = 10000)"

## -------------------------------------------------------------------- contrasts
contrasts_of <- function(d, measure) {
  studies <- unique(d$study)
  out <- list(); Vblocks <- list()
  for (s in studies) {
    a <- d[d$study == s, ]
    m <- nrow(a)
    if (measure %in% c("OR", "RR", "RD")) {
      e <- a$events; ne <- a$n - a$events
      if (measure != "RD" && any(e == 0 | ne == 0)) { e <- e + 0.5; ne <- ne + 0.5 }
      es <- escalc(measure, ai = e[-1], bi = ne[-1], ci = rep(e[1], m - 1), di = rep(ne[1], m - 1), add = 0)
      n0 <- e[1] + ne[1]; p0 <- e[1] / n0
      cov0 <- switch(measure, OR = 1 / e[1] + 1 / ne[1], RR = 1 / e[1] - 1 / n0, RD = p0 * (1 - p0) / n0)
      yi <- as.vector(es$yi); vi <- as.vector(es$vi)
      V <- matrix(cov0, m - 1, m - 1); diag(V) <- vi
    } else if (measure == "MD") {
      es <- escalc("MD", m1i = a$mean[-1], sd1i = a$sd[-1], n1i = a$n[-1],
                   m2i = rep(a$mean[1], m - 1), sd2i = rep(a$sd[1], m - 1), n2i = rep(a$n[1], m - 1))
      yi <- as.vector(es$yi); vi <- as.vector(es$vi)
      V <- matrix(a$sd[1]^2 / a$n[1], m - 1, m - 1); diag(V) <- vi
    } else if (measure == "SMD") {
      N <- sum(a$n); df <- N - m
      sp <- sqrt(sum((a$n - 1) * a$sd^2) / df)
      cm <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
      yi <- cm * (a$mean[-1] - a$mean[1]) / sp
      V <- matrix(1 / a$n[1], m - 1, m - 1) + outer(yi, yi) / (2 * N)
      diag(V) <- 1 / a$n[-1] + 1 / a$n[1] + yi^2 / (2 * N)
      vi <- diag(V)
      if (m == 2) {  # the two-arm case is escalc("SMD") itself
        es <- escalc("SMD", m1i = a$mean[2], sd1i = a$sd[2], n1i = a$n[2], m2i = a$mean[1], sd2i = a$sd[1], n2i = a$n[1])
        stopifnot(abs(es$yi - yi) < 1e-12, abs(es$vi - vi) < 1e-12)
      }
    }
    out[[length(out) + 1]] <- data.frame(study = s, t1 = a$treatment[-1], t0 = a$treatment[1], yi = yi, vi = vi,
                                         stringsAsFactors = FALSE)
    Vblocks[[length(Vblocks) + 1]] <- V
  }
  cd <- do.call(rbind, out)
  cd$comp <- paste(cd$t1, cd$t0, sep = ":")
  list(cd = cd, V = as.matrix(bdiag(Vblocks)))
}

design_X <- function(cd, treatments) {
  X <- matrix(0, nrow(cd), length(treatments), dimnames = list(NULL, treatments))
  for (r in seq_len(nrow(cd))) { X[r, cd$t1[r]] <- X[r, cd$t1[r]] + 1; X[r, cd$t0[r]] <- X[r, cd$t0[r]] - 1 }
  X[, -1, drop = FALSE]
}

design_Z <- function(cd, d, treatments) {
  des <- tapply(d$treatment, d$study, function(t) paste(sort(match(t, treatments)), collapse = "-"))
  cols <- list()
  for (dz in sort(unique(des))) {
    ts <- as.integer(strsplit(dz, "-")[[1]])
    for (t in ts[-1]) cols[[length(cols) + 1]] <- c(dz, t)
  }
  Z <- matrix(0, nrow(cd), length(cols))
  colnames(Z) <- vapply(cols, function(c) paste0("Z", c[1], "_", c[2]), "")
  for (r in seq_len(nrow(cd))) {
    dz <- des[[as.character(cd$study[r])]]
    ts <- as.integer(strsplit(dz, "-")[[1]])
    i1 <- match(cd$t1[r], treatments); i0 <- match(cd$t0[r], treatments)
    if (i1 != ts[1]) Z[r, paste0("Z", dz, "_", i1)] <- Z[r, paste0("Z", dz, "_", i1)] + 1
    if (i0 != ts[1]) Z[r, paste0("Z", dz, "_", i0)] <- Z[r, paste0("Z", dz, "_", i0)] - 1
  }
  Z
}

fit_mv <- function(cd, V, mods, method) {
  suppressWarnings(rma.mv(cd$yi, V, mods = mods, intercept = FALSE, random = ~ comp | study, rho = 1 / 2,
                          data = cd, method = method, control = CTRL))
}

pscores <- function(beta, vb, good_small) {
  d <- c(0, beta); T <- length(d)
  C <- matrix(0, T, T); C[-1, -1] <- vb
  sapply(seq_len(T), function(i) {
    mean(sapply(setdiff(seq_len(T), i), function(j) {
      se <- sqrt(C[i, i] + C[j, j] - 2 * C[i, j])
      z <- (d[j] - d[i]) / se
      pnorm(if (good_small) z else -z)
    }))
  })
}

cases <- list()
run_case <- function(name, d, measure, reference, method, good_small) {
  treatments <- c(reference, sort(setdiff(unique(d$treatment), reference)))
  cc <- contrasts_of(d, measure)
  cd <- cc$cd; V <- cc$V
  X <- design_X(cd, treatments)
  res <- fit_mv(cd, V, X, method)
  fe <- fit_mv(cd, V, X, "FE")
  vals <- list(treatments = arr(treatments[-1]), estimate = arr(res$beta), se = arr(res$se),
               vcov = arr(res$vb), tau2 = if (method == "FE") 0 else res$tau2,
               QE = fe$QE, QEdf = res$k - res$p, yi = arr(cd$yi), vi = arr(cd$vi),
               pscore = arr(pscores(as.vector(res$beta), res$vb, good_small)))
  # design-by-treatment
  Z <- design_Z(cd, d, treatments)
  XZ <- cbind(X, Z)
  inc <- fit_mv(cd, V, XZ, method)
  kept <- which(rownames(inc$beta) %in% colnames(Z))
  inc_fe <- fit_mv(cd, V, XZ, "FE")
  kept_fe <- which(rownames(inc_fe$beta) %in% colnames(Z))
  vals$dbt <- list(Q_total = fe$QE, Q_within = inc_fe$QE,
                   Q_between_fe = anova(inc_fe, btt = kept_fe)$QM, df = length(kept_fe),
                   Q_between_re = anova(inc, btt = kept)$QM, tau2_re = inc$tau2)
  # node-splitting
  splits <- list()
  T <- length(treatments)
  alpha <- sort(treatments)
  for (ia in 1:(T - 1)) for (ib in (ia + 1):T) {
    ta <- alpha[ia]; tb <- alpha[ib]
    a <- match(ta, treatments); b <- match(tb, treatments)
    has <- tapply(d$treatment, d$study, function(t) ta %in% t && tb %in% t)
    if (!any(has)) next
    s <- (cd$t1 == tb) - (cd$t0 == tb)
    s[!has[as.character(cd$study)]] <- 0
    Xs <- cbind(X, split = s)
    if (qr(Xs)$rank <= qr(X)$rank) next
    f <- fit_mv(cd, V, Xs, method)
    cvec <- rep(0, ncol(Xs)); if (b > 1) cvec[b - 1] <- 1; if (a > 1) cvec[a - 1] <- cvec[a - 1] - 1
    cdir <- cvec; cdir[ncol(Xs)] <- 1
    bet <- as.vector(f$beta)
    splits[[length(splits) + 1]] <- list(treatment = tb, comparator = ta,
      direct = sum(cdir * bet), direct_se = sqrt(drop(t(cdir) %*% f$vb %*% cdir)),
      indirect = sum(cvec * bet), indirect_se = sqrt(drop(t(cvec) %*% f$vb %*% cvec)),
      difference = bet[ncol(Xs)], difference_se = f$se[ncol(Xs)], pvalue = f$pval[ncol(Xs)],
      tau2 = if (method == "FE") 0 else f$tau2)
  }
  vals$node_split <- splits
  call <- sprintf(paste0("rma.mv(yi, V, mods = X, intercept = FALSE, random = ~ comp | study, rho = 1/2, ",
                         "method = \"%s\", %s)  # %s contrasts of %s against each study's first arm"),
                  method, ctrl_txt, measure, name)
  cases[[paste(name, measure, method, sep = "_")]] <<- list(dataset = name, measure = measure, method = method,
    reference = reference, small_values = if (good_small) "good" else "bad", call = call, values = vals)
}

hb <- metadat::dat.hasselblad1998
hb <- data.frame(study = as.character(hb$study), treatment = hb$trt, events = hb$xi, n = hb$ni,
                 stringsAsFactors = FALSE)
sn <- metadat::dat.senn2013
sn <- data.frame(study = sn$study, treatment = sn$treatment, mean = sn$mi, sd = sn$sdi, n = sn$ni,
                 stringsAsFactors = FALSE)
for (method in c("FE", "REML")) {
  for (measure in c("OR", "RR", "RD")) run_case("hasselblad1998", hb, measure, "no_contact", method, FALSE)
  for (measure in c("MD", "SMD")) run_case("senn2013", sn, measure, "placebo", method, TRUE)
}

out <- list(r_version = R.version.string, metafor_version = as.character(packageVersion("metafor")),
            datasets = list(hasselblad1998 = list(study = hb$study, treatment = hb$treatment,
                                                  events = arr(hb$events), n = arr(hb$n)),
                            senn2013 = list(study = sn$study, treatment = sn$treatment, mean = arr(sn$mean),
                                            sd = arr(sn$sd), n = arr(sn$n))),
            cases = cases)
writeLines(to_json(out), "tests/reference/metafor_network.json")
cat("wrote", length(cases), "cases\n")
