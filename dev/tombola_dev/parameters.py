"""Template parameters for the stacks the tests create."""

# The state machine's timeouts are real, the domain clock is manual. Waits a test lets pass are
# set to 1-3 s (here, or per listing through `deadlines`); the others are long enough that a
# slow machine never lets them pass by accident.
FAST = {
    "SecondPaymentSeconds": "3",
    "ShipSeconds": "30",
    "DeliverySeconds": "30",
    "ConfirmSeconds": "30",
    "ResolutionSeconds": "30",
    "DepositRateBps": "500",
    # The draw's beacon round is the first at or after the close itself, and the local beacon
    # serves a round one period early: a test whose clock stands at the close never waits.
    "BeaconMarginSeconds": "0",
    "Beacon": "local",
    # Sellers may choose waits of a second or more here, so tests never wait for real days.
    **{
        f"{n}SecondsMin": "1"
        for n in ("SecondPayment", "Ship", "Delivery", "Confirm", "Resolution")
    },
}
