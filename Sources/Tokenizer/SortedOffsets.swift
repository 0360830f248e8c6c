/// Binary search over ascending offsets (token ends, piece ends, boundary positions).
public enum SortedOffsets {
    /// The number of leading elements of ascending `list` that are at most `value`: the
    /// index of the first element greater than it.
    @inlinable
    public static func count(in list: [Int32], atMost value: Int) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) >> 1
            if Int(list[middle]) <= value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
