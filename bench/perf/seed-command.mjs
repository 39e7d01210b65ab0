// The README's main command: these 21 tests, 50 runs each, on 4 workers.
export const SEED_COMMAND_TESTS = [
  'TestInitialElection2A', 'TestReElection2A', 'TestManyElections2A',
  'TestBasicAgree2B', 'TestRPCBytes2B', 'TestFollowerFailure2B', 'TestLeaderFailure2B', 'TestFailAgree2B',
  'TestFailNoAgree2B', 'TestConcurrentStarts2B', 'TestRejoin2B', 'TestBackup2B', 'TestCount2B',
  'TestPersist12C', 'TestPersist22C', 'TestPersist32C', 'TestFigure82C', 'TestUnreliableAgree2C',
  'TestFigure8Unreliable2C', 'TestReliableChurn2C', 'TestUnreliableChurn2C',
];
export const SEED_COMMAND_RUNS = 50;
