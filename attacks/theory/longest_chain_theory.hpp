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

}  // namespace dltsim::theory
