"""Strict-xfail vmap checks (indexing, sorting, reductions, masks and building) that do not agree with a loop yet;
see batching_known.py. Remove an entry when its batching is fixed.

The two left assign a traced value into a plain ndarray (the shared first argument,
copied with ``x + 0.0``, stays a numpy array): in a loop each example's value is
plain and numpy writes it, under vmap it is traced and the assignment is refused
with wengert's TypeError, as it is under grad."""

KNOWN_INDEXING = {
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[index_update-setitem-iadd-mask-2x3-4]',
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[index_update-setitem-slice-broadcast-4x2-scalar]',
}
