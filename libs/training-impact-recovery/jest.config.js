module.exports = { ...require('../../jest.preset'), displayName: 'training-impact-recovery', rootDir: __dirname };
