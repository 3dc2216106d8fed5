#pragma once
// Closed forms for attacks on longest-chain consensus, in one place so that tests, the command line
// (`dltsim theory`, run summaries) and the Python API all use the same code.
//
// References:
// - I. Eyal and E. G. Sirer, "Majority is not Enough: Bitcoin Mining is Vulnerable", FC 2014
//   (arXiv:1311.0243): SM1 relative revenue (eq. 8) and profitability threshold.
// - M. Rosenfeld, "Analysis of Hashrate-Based Double Spending", 2014 (arXiv:1402.2009):
//   exact double-spend success probability.
// - S. Nakamoto, "Bitcoin: A Peer-to-Peer Electronic Cash System", 2008, section 11: the
//   Poisson approximation.

namespace dltsim::theory {

/// Eyal-Sirer SM1 relative revenue of a pool with hashrate share alpha, when a fraction gamma of
/// the honest hashrate mines on the pool's block during a tie.
double selfish_mining_revenue(double alpha, double gamma);

/// Smallest alpha at which SM1 earns more than alpha: (1 - gamma) / (3 - 2 gamma).
double selfish_mining_threshold(double gamma);

/// Upper bound on any selfish-mining strategy's relative revenue: alpha / (1 - alpha) (capped at 1).
double selfish_mining_upper_bound(double alpha);

/// Rosenfeld's exact probability that an attacker with share q double-spends against a merchant
/// waiting k confirmations, mining until it succeeds (1 if q >= 1/2). His model (like Nakamoto's)
/// counts catching up as success, which is the same as needing a strictly longer branch with one
/// block mined in advance (the attacker pre-mines the double-spending block before paying).
double double_spend_rosenfeld(double q, int k);

/// The same race when the attacker gives up once the honest branch leads by `give_up_deficit`
/// blocks (> k): a gambler's ruin with two barriers. `premined`: the attacker mined one block before
/// paying (Rosenfeld's model); otherwise it starts from nothing and needs a strictly longer branch.
double double_spend_rosenfeld_give_up(double q, int k, int give_up_deficit, bool premined);

/// Nakamoto's approximation: the attacker's progress while the merchant waits is taken as Poisson.
double double_spend_nakamoto(double q, int k);

/// Expected blocks (both sides) until a pool with share q > 1/2 that forks d blocks below the head
/// is strictly ahead: (d + 1) / (2q - 1) (Wald's identity; the walk moves by one block at a time).
double majority_expected_blocks(double q, int d);

/// Expected honest blocks reverted by that rewrite: d + (1 - q) * majority_expected_blocks(q, d).
double majority_expected_depth(double q, int d);

// ---- The delay model (every block reaches every node exactly D after it is made, many miners) ----
// Heights come at intervals D + Exp(lambda); the blocks found in the D before a new height are its
// siblings, Poisson(x) of them with x = lambda D (docs/ghost.md).

/// Stale rate x / (1 + x).
double delay_stale_rate(double x);
/// Main-chain growth per block interval 1 / (1 + x) (lambda / (1 + lambda D) per unit time).
double delay_growth(double x);
/// Uncles per main-chain block when every sibling is referenced: x.
double delay_uncle_rate(double x);
/// Mean height difference between such an uncle and its nephew: 2 - (1 - e^-x) / x.
double delay_uncle_distance(double x);

// ---- Praos (David, Gazi, Kiayias and Russell 2018; docs/praos.md) ----

/// phi_f(alpha) = 1 - (1 - f)^alpha: probability that stake alpha leads a slot.
double praos_leader_probability(double f, double alpha);
/// Growth per slot of a chain extended by many stakeholders holding `share` whose blocks reach each
/// other delta_slots slots later (floor(D / slot) + 1): p / (1 + (delta - 1) p), p = phi_f(share).
double praos_growth_per_slot(double f, double share, int delta_slots);
/// The stake beta at which a private chain (phi_f(beta) per slot) grows as fast as the honest chain
/// of the rest (praos_growth_per_slot(f, 1 - beta, delta)): above it the private chain wins long races.
double praos_private_threshold(double f, int delta_slots);

}  // namespace dltsim::theory
