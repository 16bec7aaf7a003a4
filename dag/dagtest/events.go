package dagtest

import "litho/dag"

// Status is the first reported status of a stage among a run's events
// (partition "" for the stage itself), "(none)" when none was reported.
func Status(evs []dag.Event, stage, part string) string {
	for _, e := range evs {
		if e.Stage == stage && e.Partition == part {
			return e.Status
		}
	}
	return "(none)"
}

// StageEvent is the last stage-level event of stage among a run's events,
// the zero Event when there is none.
func StageEvent(evs []dag.Event, stage string) dag.Event {
	var ev dag.Event
	for _, e := range evs {
		if e.Stage == stage && e.Partition == "" {
			ev = e
		}
	}
	return ev
}

// PartEvent is the first event of a stage's partition among a run's
// events, the zero Event when there is none.
func PartEvent(evs []dag.Event, stage, part string) dag.Event {
	for _, e := range evs {
		if e.Stage == stage && e.Partition == part {
			return e
		}
	}
	return dag.Event{}
}
