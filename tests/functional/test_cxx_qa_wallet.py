"""The C++ node's own qa/rpc-tests wallet scripts (keypool.py, disablewallet.py) against this fluxd.

The scripts are Python 2 and live in the RunOnFlux/fluxd repository, which this
repository does not carry (their code is not ours to copy).  The test runs
them when a Python 2.7 interpreter and a copy of that repository's qa/rpc-tests
are on the machine (FLUXD_CXX_QA=<path to qa/rpc-tests>, or the reference
mirror under ../.mirror); otherwise it is skipped with the reason, and the same
scenarios run ported in test_wallet_encryption.py.
"""

from __future__ import annotations

import pytest

from tests.functional.cxx_qa import python2, qa_dir, run_script, succeeded, tail

pytestmark = pytest.mark.functional


@pytest.mark.parametrize("script", ["disablewallet.py", "keypool.py"])
def test_cxx_qa_script(script, tmp_path):
    interpreter = python2()
    if interpreter is None:
        pytest.skip("no Python 2.7 interpreter (the C++ qa scripts need it); the ported scenarios run in test_wallet_encryption.py")
    qa = qa_dir(tmp_path)
    if qa is None or not (qa / script).exists():
        pytest.skip("the C++ qa/rpc-tests are not on this machine (set FLUXD_CXX_QA)")
    result = run_script(interpreter, qa, script, tmp_path)
    assert succeeded(result), tail(result)
