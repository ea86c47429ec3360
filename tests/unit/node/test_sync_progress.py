from fluxd.node.sync_progress import progress_text, sync_target


def test_the_target_is_the_highest_claim_so_the_eta_is_not_zero_while_headers_lag():
    target = sync_target(1_000, 1_000, [2_000_000, 1_999_990])
    assert target == 2_000_000
    assert progress_text(1_000, target, 500.0) == "Sync progress: height 1000 of 2000000 (0.05%), 500.0 blocks/s, ETA 3998s"


def test_done_and_stalled_lines():
    assert progress_text(10, 10, 0.0).endswith("(100.00%), 0.0 blocks/s, ETA 0s")
    assert progress_text(5, 10, 0.0).endswith("ETA unknown")
