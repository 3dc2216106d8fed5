"""The double-spending closed forms against their textbook difference forms evaluated in 400-digit
arithmetic (mpmath), over the whole range: probabilities near 1, and tails down to 1e-100 where the
difference of nearly equal sums cancels to nothing (or below zero) in double precision but not
with 400 digits. Tolerance: relative 1e-9 (the C++ side sums at most a few thousand positive terms
in double precision, each accurate to a few ulps, and Boost's incomplete beta and gamma functions
are accurate to a few ulps)."""

import mpmath
import pytest

import dltsim

RTOL = 1e-9


mpmath.mp.dps = 400


def rosenfeld_ref(q, k):
    """Rosenfeld's formula as published: 1 - sum_{m<=k} C(m+k-1, m) (p^k q^m - q^k p^m)."""
    q = mpmath.mpf(q)  # the double q exactly
    p = 1 - q
    total = mpmath.mpf(0)
    for m in range(k + 1):
        total += mpmath.binomial(m + k - 1, m) * (p ** k * q ** m - q ** k * p ** m)
    return 1 - total


def give_up_ref(q, k, d, premined):
    """The race with a give-up deficit d (gambler's ruin with two barriers), as 1 - mass + sum."""
    q = mpmath.mpf(q)
    p = 1 - q
    r = p / q

    def catch_up(z):
        if z < 0:
            return mpmath.mpf(1)
        return (1 - r ** (d - z)) / (1 - r ** (d + 1))

    head = 1 if premined else 0
    total, mass = mpmath.mpf(0), mpmath.mpf(0)
    for m in range(0, k - head + 1):
        w = mpmath.binomial(m + k - 1, m) * p ** k * q ** m
        total += w * catch_up(k - m - head)
        mass += w
    return total + (1 - mass)


def nakamoto_ref(q, k):
    q = mpmath.mpf(q)
    p = 1 - q
    lam = k * q / p
    s = mpmath.mpf(1)
    for i in range(k + 1):
        s -= mpmath.exp(-lam) * lam ** i / mpmath.factorial(i) * (1 - (q / p) ** (k - i))
    return s


@pytest.mark.parametrize("q,k", [(0.1, 1), (0.1, 6), (0.3, 6), (0.45, 30), (0.33, 1000), (0.1, 100),
                                 (0.49, 1000), (0.01, 40)])
def test_rosenfeld_is_accurate_in_relative_terms(q, k):
    exact = rosenfeld_ref(q, k)
    got = dltsim.theory.double_spending(q=q, confirmations=k)["success_rosenfeld"]
    assert got > 0
    assert got == pytest.approx(float(exact), rel=RTOL, abs=0)


def test_the_reported_case_is_positive_and_tiny():
    # q 0.33, 1,000 confirmations: the difference form returned -4.3e-13.
    got = dltsim.theory.double_spending(q=0.33, confirmations=1000)["success_rosenfeld"]
    assert 1e-56 < got < 1e-54


@pytest.mark.parametrize("q,k,d,premined", [(0.3, 6, 20, True), (0.3, 6, 20, False), (0.1, 50, 200, True),
                                            (0.33, 1000, 1500, True), (0.45, 10, 11, False)])
def test_give_up_race_is_accurate(q, k, d, premined):
    exact = give_up_ref(q, k, d, premined)
    got = dltsim.theory.double_spending(q=q, confirmations=k, give_up_deficit=d, premine=premined)["success_give_up"]
    assert got > 0
    assert got == pytest.approx(float(exact), rel=RTOL, abs=0)


@pytest.mark.parametrize("q,k", [(0.1, 6), (0.3, 6), (0.33, 1000), (0.05, 200)])
def test_nakamoto_approximation_is_accurate(q, k):
    ref = nakamoto_ref(q, k)
    got = dltsim.theory.double_spending(q=q, confirmations=k)["success_nakamoto"]
    assert got > 0
    assert got == pytest.approx(float(ref), rel=RTOL, abs=0)
