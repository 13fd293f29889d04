# Reference values for evidence_lib.meta.bayes (Bayesian normal-normal random-effects model).
# Run:  Rscript tests/reference/bayes_reference.R   (from the repository root)
# Writes tests/reference/bayes_reference.json.  The Python test-suite only reads the JSON.
#
# An independent computation, written from the model, not from the Python code and not with
# bayesmeta (not installed): base R's integrate() over the marginal posterior of tau,
#
#   p(tau | y)  ∝  p(tau) * prod_i w_i^(1/2) * W^(-1/2) * exp(-Q/2),
#   w_i = 1 / (v_i + tau^2),  W = sum_i w_i,  Q = sum_i w_i (y_i - muhat)^2,  muhat = sum_i w_i y_i / W,
#
# with mu integrated out analytically (flat prior); a normal prior N(m0, s0^2) on mu enters as one
# more term with y = m0, w = 1/s0^2 that does not depend on tau.  Given tau, mu | tau, y ~ N(muhat, 1/W)
# and a new study's effect theta_new | tau, y ~ N(muhat, 1/W + tau^2).  Every posterior summary is an
# integral over tau of these normal laws (Röver 2020, J Stat Softw 93(6), doi:10.18637/jss.v093.i06).
# Quantiles come from uniroot() on the integrated CDFs.  Tolerances: integrate(rel.tol = 1e-11, abs.tol = 1e-14; the integrand is scaled to peak near 1),
# uniroot(tol = 1e-12).  The "call" of each case records the prior and data in R syntax.

## ---------------------------------------------------------------- JSON writer (house style)
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
  if (is.character(x)) {
    s <- vapply(x, function(v) if (is.na(v)) "null" else esc(v), "")
  } else {
    s <- vapply(as.numeric(x), num, "")
  }
  if (length(x) == 1 && is.null(attr(x, "as_array"))) return(unname(s))
  paste0("[", paste(s, collapse = ","), "]")
}
arr <- function(x) { x <- as.vector(x); attr(x, "as_array") <- TRUE; x }

## ---------------------------------------------------------------- the model
log_prior_tau <- function(tau, prior) {
  switch(prior$name,
    half_normal = log(2) + dnorm(tau, 0, prior$scale, log = TRUE),
    half_cauchy = log(2) + dcauchy(tau, 0, prior$scale, log = TRUE),
    # tau^2 ~ LogNormal(meanlog, sdlog); density of tau by change of variables, d(tau^2)/d(tau) = 2 tau
    lognormal_tau2 = dlnorm(tau^2, prior$meanlog, prior$sdlog, log = TRUE) + log(2 * tau),
    # log(tau^2) = location + scale * T, T ~ t(df): density of tau^2 is dt((log(tau^2) - location) / scale, df)
    # / (scale * tau^2), and of tau that times d(tau^2)/d(tau) = 2 tau
    # (log(tau^2) written 2 log(tau): tau^2 underflows far out in the tail where tau does not)
    logt_tau2 = dt((2 * log(tau) - prior$location) / prior$scale, prior$df, log = TRUE) - log(prior$scale) -
      2 * log(tau) + log(2 * tau),
    stop("unknown prior"))
}
conditional <- function(tau, y, v, mu_prior) {
  w <- 1 / (v + tau^2)
  if (!is.null(mu_prior)) { w <- c(w, 1 / mu_prior$sd^2); y <- c(y, mu_prior$mean) }
  W <- sum(w)
  m <- sum(w * y) / W
  list(m = m, s2 = 1 / W, loglik = 0.5 * sum(log(w)) - 0.5 * log(W) - 0.5 * sum(w * (y - m)^2))
}

fit <- function(y, v, tau_prior, mu_prior, thresholds) {
  lp <- function(tau) vapply(tau, function(t) log_prior_tau(t, tau_prior) + conditional(t, y, v, mu_prior)$loglik, 0)
  # the mode of the log posterior of log(tau), to scale the integrand and place break points
  opt <- optimize(function(x) lp(exp(x)) + x, c(-30, 12), maximum = TRUE, tol = 1e-12)
  offset <- opt$objective
  ref <- exp(opt$maximum)
  f <- function(tau) ifelse(tau > 0, exp(lp(tau) - offset), 0)
  brk <- c(0, ref * c(1e-3, 1e-2, 0.1, 0.5, 1, 2, 10, 100, 1e3), Inf)
  integ <- function(g, upper = Inf) {
    b <- brk[brk < upper]; b <- c(b, upper)
    tot <- 0
    for (i in seq_len(length(b) - 1)) {
      # a tiny tail probability can stop integrate() with "roundoff error" at rel.tol 1e-11;
      # it is then recomputed at rel.tol 1e-8 without stopping (only probabilities below about 1e-9
      # are affected, far below the absolute 1e-4 the tests ask for)
      if (b[i] == 0 && tau_prior$name == "logt_tau2") {
        # a log-t prior's density of tau behaves like 1 / (tau |log tau|^(df+1)) at 0: the first piece is
        # integrated over x = log(tau) from -Inf instead (integrand g(e^x) e^x, polynomial tail in x)
        gx <- function(x) g(exp(x)) * exp(x)
        piece <- tryCatch(integrate(gx, -Inf, log(b[i + 1]), rel.tol = 1e-11, abs.tol = 1e-14, subdivisions = 5000L)$value,
                          error = function(e) integrate(gx, -Inf, log(b[i + 1]), rel.tol = 1e-8, abs.tol = 1e-14,
                                                        subdivisions = 5000L, stop.on.error = FALSE)$value)
        tot <- tot + piece
        next
      }
      piece <- tryCatch(integrate(g, b[i], b[i + 1], rel.tol = 1e-11, abs.tol = 1e-14, subdivisions = 5000L)$value,
                        error = function(e) integrate(g, b[i], b[i + 1], rel.tol = 1e-8, abs.tol = 1e-14,
                                                      subdivisions = 5000L, stop.on.error = FALSE)$value)
      tot <- tot + piece
    }
    tot
  }
  vec <- function(h) function(tau) vapply(tau, h, 0)
  Z <- integ(f)
  cm <- function(t) conditional(t, y, v, mu_prior)
  mix_cdf <- function(x, pred) integ(vec(function(t) {
    if (t <= 0 && tau_prior$name %in% c("lognormal_tau2", "logt_tau2")) return(0)
    c <- cm(t); s <- sqrt(c$s2 + if (pred) t^2 else 0)
    f(t) * pnorm(x, c$m, s)
  })) / Z
  mix_sf <- function(x, pred) integ(vec(function(t) {
    if (t <= 0 && tau_prior$name %in% c("lognormal_tau2", "logt_tau2")) return(0)
    c <- cm(t); s <- sqrt(c$s2 + if (pred) t^2 else 0)
    f(t) * pnorm(x, c$m, s, lower.tail = FALSE)
  })) / Z
  moment <- function(h) integ(vec(function(t) { if (f(t) == 0) return(0); f(t) * h(t) })) / Z
  summ_mix <- function(pred) {
    mean <- moment(function(t) cm(t)$m)
    m2 <- moment(function(t) { c <- cm(t); c$s2 + (if (pred) t^2 else 0) + c$m^2 })
    sd <- sqrt(m2 - mean^2)
    q <- function(p) uniroot(function(x) mix_cdf(x, pred) - p, c(mean - 30 * sd, mean + 30 * sd), tol = 1e-12)$root
    list(mean = mean, median = q(0.5), sd = sd, ci_low = q(0.025), ci_high = q(0.975))
  }
  tau_mean <- moment(function(t) t)
  tau_sd <- sqrt(moment(function(t) t^2) - tau_mean^2)
  tau_cdf <- function(x) integ(f, upper = x) / Z
  tq <- function(p) uniroot(function(x) tau_cdf(x) - p, c(0, tau_mean + 60 * tau_sd), tol = 1e-12)$root
  out <- list(
    mu = summ_mix(FALSE), pred = summ_mix(TRUE),
    tau = list(mean = tau_mean, median = tq(0.5), sd = tau_sd, ci_low = tq(0.025), ci_high = tq(0.975)),
    prob_above = arr(vapply(thresholds, function(x) mix_sf(x, FALSE), 0)),
    prob_below = arr(vapply(thresholds, function(x) mix_cdf(x, FALSE), 0)),
    pred_prob_above = arr(vapply(thresholds, function(x) mix_sf(x, TRUE), 0)))
  # Moments that do not exist: for large tau the likelihood (mu integrated out) falls like
  # tau^-(k-1) (flat mu prior) or tau^-k (normal mu prior) and a half-Cauchy prior like tau^-2, so
  # E[tau^2 | y] is infinite when k + 1 <= 3 (flat) or k + 2 <= 3 (normal).  integrate() then
  # returns a finite number that depends on where it gives up, so the sds are set to Inf here.
  if (tau_prior$name == "half_cauchy") {
    power <- if (is.null(mu_prior)) length(y) + 1 else length(y) + 2
    if (power <= 3) {
      out$tau$sd <- Inf; out$pred$sd <- Inf
      if (is.null(mu_prior)) out$mu$sd <- Inf
    }
  }
  # A log-t prior on tau^2 falls like tau^-1 |log tau|^-(df+1): p(tau | y) ~ tau^-k (flat) or tau^-(k+1)
  # (normal) times that log factor, so E[tau^2 | y] is infinite when that power is below 3.
  if (tau_prior$name == "logt_tau2") {
    power <- if (is.null(mu_prior)) length(y) else length(y) + 1
    if (power < 3) {
      out$tau$sd <- Inf; out$pred$sd <- Inf
      if (is.null(mu_prior)) out$mu$sd <- Inf
    }
  }
  out
}

prior_call <- function(p) switch(p$name,
  half_normal = sprintf("tau ~ HalfNormal(scale=%g)", p$scale),
  half_cauchy = sprintf("tau ~ HalfCauchy(scale=%g)", p$scale),
  lognormal_tau2 = sprintf("tau^2 ~ LogNormal(meanlog=%g, sdlog=%g)%s", p$meanlog, p$sdlog,
                           if (is.null(p$preset)) "" else sprintf(" [preset %s]", p$preset)),
  logt_tau2 = sprintf("log(tau^2) ~ %g + %g * t(df=%g) [preset %s]", p$location, p$scale, p$df, p$preset))

cases <- list()
add_case <- function(name, y, v, tau_prior, mu_prior, thresholds) {
  call <- sprintf("fit(y=c(%s), v=c(%s), %s, mu ~ %s)", paste(format(y, digits = 17), collapse = ", "),
                  paste(format(v, digits = 17), collapse = ", "), prior_call(tau_prior),
                  if (is.null(mu_prior)) "flat" else sprintf("Normal(%g, %g^2)", mu_prior$mean, mu_prior$sd))
  vals <- fit(y, v, tau_prior, mu_prior, thresholds)
  cases[[name]] <<- list(call = call, input = list(
    yi = arr(y), vi = arr(v), tau_prior = tau_prior,
    mu_prior = if (is.null(mu_prior)) NULL else mu_prior, thresholds = arr(thresholds)), values = vals)
  cat(name, ": mu mean", vals$mu$mean, " P(mu < -15)", vals$prob_below[1], "\n")
}

## ---------------------------------------------------------------- data
# Furlan et al. (Cochrane CD001351) Analysis 5.1 subgroup 1: per-trial MD and variance from the
# arm data in data/trial_data.csv (via evidence_lib.review.reproduce.trial_rows), 0-100 pain scale.
furlan_y <- c(-10.4, -11.0, -9.8, -10.0)
furlan_v <- c(66.11646153846154, 25.92857142857143, 23.40219512195122, 13.827586206896552)
# A heterogeneous synthetic set, k = 20 (fixed by set.seed)
set.seed(20240611)
k <- 20
syn_v <- round(runif(k, 4, 60), 3)
syn_y <- round(rnorm(k, -8, sqrt(syn_v + 36)), 3)
# Two discrepant studies (heavy posterior tail of tau)
two_y <- c(-2, -20); two_v <- c(9, 16)

hn <- function(s) list(name = "half_normal", scale = s)
hc <- function(s) list(name = "half_cauchy", scale = s)
ln <- function(m, s) list(name = "lognormal_tau2", meanlog = m, sdlog = s)
nm <- function(m, s) list(name = "normal", mean = m, sd = s)
thr <- c(-15, -10, 0)

add_case("furlan_hn15_flat", furlan_y, furlan_v, hn(15), NULL, thr)
add_case("furlan_hn15_sceptical", furlan_y, furlan_v, hn(15), nm(0, 15 / qnorm(0.95)), thr)
add_case("furlan_hc5_flat", furlan_y, furlan_v, hc(5), NULL, thr)
add_case("furlan_ln_flat", furlan_y, furlan_v, ln(log(25), 1.5), NULL, thr)
add_case("synthetic20_hn10_flat", syn_y, syn_v, hn(10), NULL, thr)
add_case("synthetic20_hc2_normal", syn_y, syn_v, hc(2), nm(-15, 9), thr)
add_case("two_hc10_flat", two_y, two_v, hc(10), NULL, thr)
add_case("single_hn15_normal", -21.7, 16.869242395859043, hn(15), nm(0, 150), thr)

## ---------------------------------------------------------------- heterogeneity presets
# The parameters are those of the named presets of evidence_lib.meta.bayes_priors (Rhodes et al. 2015
# log-t(5) priors for SMDs, Turner et al. 2015 log-normal priors for log odds ratios); the Python test
# checks that the preset still holds these numbers.  Data are synthetic (fixed by set.seed).
lt <- function(loc, sc, preset) list(name = "logt_tau2", location = loc, scale = sc, df = 5, preset = preset)
lnp <- function(m, s, preset) list(name = "lognormal_tau2", meanlog = m, sdlog = s, preset = preset)
set.seed(20260101)
smd_v <- round(runif(5, 0.02, 0.12), 4)
smd_y <- round(rnorm(5, 0.45, sqrt(smd_v + 0.03)), 3)
lor_v <- round(runif(6, 0.03, 0.3), 4)
lor_y <- round(rnorm(6, -0.3, sqrt(lor_v + 0.05)), 3)
thr_smd <- c(0, 0.2, 0.5)
add_case("smd5_rhodes_painqol_nonpharma_flat", smd_y, smd_v,
         lt(-3.02, 2.27, "rhodes2015-physical-health-adverse-pain-qol-nonpharma-any"), NULL, thr_smd)
add_case("smd5_rhodes_general_normal", smd_y, smd_v, lt(-3.44, 2.59, "rhodes2015-general"), nm(0, 1), thr_smd)
add_case("smd2_rhodes_general_flat", smd_y[1:2], smd_v[1:2], lt(-3.44, 2.59, "rhodes2015-general"), NULL, thr_smd)
add_case("lor6_turner_pain_nonpharma_placebo_flat", lor_y, lor_v,
         lnp(-2.05, 1.71, "turner2015-pain-nonpharma-vs-placebo"), NULL, c(-0.5, 0, 0.2))

out <- list(r_version = R.version.string, generated = format(Sys.time(), "%Y-%m-%d"), cases = cases)
writeLines(to_json(out), "tests/reference/bayes_reference.json")
cat("wrote", length(cases), "cases\n")
