import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDemoConfig } from './demo-config.js';

describe('resolveDemoConfig', () => {
  it('uses the documented defaults', () => {
    assert.deepEqual(resolveDemoConfig({}), {
      demoPort: 3000,
      apiPort: 3001,
      authPort: 3002,
      dataPort: 3003,
      host: '127.0.0.1',
      traffic: true,
      trafficIntervalMs: 700,
      orderFailureRate: 0.04,
    });
  });

  it('reads every WAGGLE_DEMO_* variable, port 0 meaning any free port', () => {
    const config = resolveDemoConfig({
      WAGGLE_DEMO_PORT: '19150',
      WAGGLE_DEMO_API_PORT: '0',
      WAGGLE_DEMO_AUTH_PORT: ' 19151 ',
      WAGGLE_DEMO_DATA_PORT: '19152',
      WAGGLE_DEMO_HOST: '0.0.0.0',
      WAGGLE_DEMO_TRAFFIC: 'off',
      WAGGLE_DEMO_TRAFFIC_INTERVAL_MS: '50',
      WAGGLE_DEMO_ORDER_FAILURE_RATE: '0',
    });
    assert.deepEqual(config, {
      demoPort: 19150,
      apiPort: 0,
      authPort: 19151,
      dataPort: 19152,
      host: '0.0.0.0',
      traffic: false,
      trafficIntervalMs: 50,
      orderFailureRate: 0,
    });
  });

  it('treats empty variables as unset', () => {
    assert.equal(resolveDemoConfig({ WAGGLE_DEMO_PORT: '' }).demoPort, 3000);
  });

  it('names the variable in its error for a bad value', () => {
    assert.throws(() => resolveDemoConfig({ WAGGLE_DEMO_PORT: '70000' }), {
      message: "WAGGLE_DEMO_PORT must be a port number 0-65535, got '70000'",
    });
    assert.throws(() => resolveDemoConfig({ WAGGLE_DEMO_API_PORT: 'abc' }), /^Error: WAGGLE_DEMO_API_PORT/);
    assert.throws(() => resolveDemoConfig({ WAGGLE_DEMO_TRAFFIC: 'maybe' }), {
      message: "WAGGLE_DEMO_TRAFFIC must be true or false, got 'maybe'",
    });
    assert.throws(() => resolveDemoConfig({ WAGGLE_DEMO_TRAFFIC_INTERVAL_MS: '5' }), /WAGGLE_DEMO_TRAFFIC_INTERVAL_MS/);
    assert.throws(() => resolveDemoConfig({ WAGGLE_DEMO_ORDER_FAILURE_RATE: '1.5' }), {
      message: "WAGGLE_DEMO_ORDER_FAILURE_RATE must be a share between 0 and 1, got '1.5'",
    });
  });
});
