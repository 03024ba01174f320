"""Strict-xfail vmap checks (indexing, sorting, reductions, masks and building) that do not agree with a loop yet;
see batching_known.py. Remove an entry when its batching is fixed."""

KNOWN_INDEXING = {
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[index_update-setitem-iadd-mask-2x3-4]',
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[index_update-setitem-slice-broadcast-4x2-scalar]',
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[logsumexp-return_sign-negative-4]',
}
