/// The work unit the current task is sending for, so ``SendGate`` can tell which unit
/// waits in the pacer or in a backoff (and may be handed back at once on a stop) and
/// which has a request on the wire.
enum UnitContext {
    /// The unit's id (from ``SendGate/begin()``); nil outside a unit.
    @TaskLocal static var id: Int?
}
