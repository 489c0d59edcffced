# R BVAR 1.0.5 reference for tests/bvar/test_bvar.py: Rscript tests/bvar/bvar_reference.R (from the repository root; ~30 s).
# Prints what test_bvar.py holds as constants: auto psi, the log marginal likelihood at fixed hyperparameters
# (BVAR:::bv_ml, minus the Gamma hyperprior densities it adds), 100,000 draws of BVAR:::draw_post, and the GLP mode.
suppressMessages(library(BVAR))
options(digits = 17)
d <- read.csv("tests/data/svars_usa.csv")[, c("x", "pi", "i")]
set.seed(42)
ref <- function(dummies) {
  pri <- if (dummies) bv_priors(hyper = "auto", mn = bv_mn(), soc = bv_soc(), sur = bv_sur()) else bv_priors(hyper = "auto", mn = bv_mn())
  fit <- bvar(d, lags = 2, n_draw = 20, n_burn = 10, priors = pri, verbose = FALSE)
  pr <- fit$priors; Y <- fit$meta$Y; X <- fit$meta$X
  psi <- pr$psi$mode
  cat("psi_auto:", format(psi, digits = 17), "\n")
  pars <- c(lambda = 0.2, alpha = 2, psi1 = psi[1], psi2 = psi[2], psi3 = psi[3])
  hyp <- c(lambda = 0.2)
  if (dummies) { pars <- c(pars, soc = 1, sur = 1); hyp <- c(hyp, soc = 1, sur = 1) }
  ml <- BVAR:::bv_ml(hyper = hyp, pars = pars, priors = pr, Y = Y, X = X, XX = crossprod(X), K = ncol(X), M = 3, N = nrow(Y), lags = 2)
  lp <- sum(sapply(names(hyp), function(n) dgamma(hyp[[n]], shape = pr[[n]]$coef$k, scale = pr[[n]]$coef$theta, log = TRUE)))
  cat("log_ml_data:", format(ml$log_ml - lp, digits = 17), "\n")
  cat("log_ml_with_hyperprior:", format(ml$log_ml, digits = 17), "\n")
  n <- 100000
  B <- array(NA, c(n, ncol(X), 3)); S <- array(NA, c(n, 3, 3))
  for (k in 1:n) { dr <- BVAR:::draw_post(XX = ml$XX, N = ml$N, M = 3, lags = 2, b = pr$b, psi = ml$psi, sse = ml$sse, beta_hat = ml$beta_hat, omega_inv = ml$omega_inv); B[k,,] <- dr$beta_draw; S[k,,] <- dr$sigma_draw }
  cat("beta_mean:", format(c(apply(B, c(2,3), mean)), digits = 12), "\n")
  cat("beta_sd:", format(c(apply(B, c(2,3), sd)), digits = 12), "\n")
  cat("sigma_mean:", format(c(apply(S, c(2,3), mean)), digits = 12), "\n")
  cat("sigma_sd:", format(c(apply(S, c(2,3), sd)), digits = 12), "\n")
  cat("opt_par:", names(fit$optim$par), format(fit$optim$par, digits = 17), "\n")
  cat("opt_value:", format(fit$optim$value, digits = 17), "\n")
}
cat("== with soc+sur\n"); ref(TRUE)
cat("== lambda only\n"); ref(FALSE)
# A prior mean b per variable (bv_mn(b = c(1, 0, 0.5)); Banbura, Giannone & Reichlin 2010), psi at the values above,
# soc + sur at 1, lambda 0.2: the log marginal likelihood and the closed-form posterior mean (bv_ml's beta_hat).
cat("== vector b\n")
psi <- c(0.76575278427283566, 1.11959061614841171, 0.97908933723232039)
pri <- bv_priors(hyper = "auto", mn = bv_mn(b = c(1, 0, 0.5), psi = bv_psi(mode = psi)), soc = bv_soc(), sur = bv_sur())
fit <- bvar(d, lags = 2, n_draw = 20, n_burn = 10, priors = pri, verbose = FALSE)
pr <- fit$priors; Y <- fit$meta$Y; X <- fit$meta$X; hyp <- c(lambda = 0.2, soc = 1, sur = 1)
ml <- BVAR:::bv_ml(hyper = hyp, pars = c(lambda = 0.2, alpha = 2, psi1 = psi[1], psi2 = psi[2], psi3 = psi[3], soc = 1,
  sur = 1), priors = pr, Y = Y, X = X, XX = crossprod(X), K = ncol(X), M = 3, N = nrow(Y), lags = 2)
lp <- sum(sapply(names(hyp), function(n) dgamma(hyp[[n]], shape = pr[[n]]$coef$k, scale = pr[[n]]$coef$theta, log = TRUE)))
cat("log_ml_data:", format(ml$log_ml - lp, digits = 17), "\n")
cat("beta_hat:", format(c(ml$beta_hat), digits = 17), "\n")
