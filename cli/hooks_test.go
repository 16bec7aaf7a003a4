package cli

// HumanBytes lets the external tests check gc's sizes as printed.
var HumanBytes = humanBytes
