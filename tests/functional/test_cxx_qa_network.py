"""The C++ node's network qa/rpc-tests scripts against this fluxd (see cxx_qa.py for where they come from):
nodehandling.py (setban/listbanned/clearsetban, disconnectnode, addnode onetry), p2p_node_bloom.py (NODE_BLOOM
and -peerbloomfilters/-enforcenodebloom over a mininode connection), maxblocksinflight.py (at most 16 blocks
in flight per peer), and fluxnode_zmq_test.py (hashblockheight, chainreorg and fluxnodelistdelta through
generate, a natural reorg between two nodes and invalidateblock), a Python 3 script run with this interpreter."""

from __future__ import annotations

import sys

import pytest

from tests.functional.cxx_qa import python2, python2_has, qa_dir, run_script, succeeded, tail

pytestmark = pytest.mark.functional
NEEDS_MININODE = {"p2p_node_bloom.py", "maxblocksinflight.py"}  # test_framework/mininode.py imports pyblake2


@pytest.mark.parametrize("script", ["nodehandling.py", "p2p_node_bloom.py", "maxblocksinflight.py"])
def test_cxx_qa_network_script(script, tmp_path):
    interpreter = python2()
    if interpreter is None:
        pytest.skip("no Python 2.7 interpreter (the C++ qa scripts need it)")
    qa = qa_dir(tmp_path)
    if qa is None or not (qa / script).exists():
        pytest.skip("the C++ qa/rpc-tests are not on this machine (set FLUXD_CXX_QA)")
    if script in NEEDS_MININODE and not python2_has(interpreter, "pyblake2"):
        pytest.skip("pyblake2 is not installed for Python 2.7 (mininode needs it; see FLUXD_CXX_QA_PY2PATH)")
    result = run_script(interpreter, qa, script, tmp_path)
    assert succeeded(result), tail(result)


def test_cxx_qa_fluxnode_zmq(tmp_path):
    qa = qa_dir(tmp_path)
    if qa is None or not (qa / "fluxnode_zmq_test.py").exists():
        pytest.skip("the C++ qa/rpc-tests are not on this machine (set FLUXD_CXX_QA)")
    result = run_script([sys.executable], qa, "fluxnode_zmq_test.py", tmp_path)
    assert succeeded(result), tail(result)
